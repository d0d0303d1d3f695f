// Builds the LabContext every step and check receives: config, paths, exec seam, kube, ui.
import { createExec, type ExecEvent } from '../lib/exec.ts';
import { createKube } from '../cluster/kube.ts';
import { resolveConfig, kindContext, type LabConfig } from '../lib/config.ts';
import { labPaths } from '../lib/paths.ts';
import { readState } from '../lib/state.ts';
import { createUi, type Ui } from '../lib/ui.ts';
import type { LabContext } from './types.ts';

export interface ContextOptions {
  env?: NodeJS.ProcessEnv;
  ui?: Ui;
  signal?: AbortSignal;
  /** Tool name → binary path (pinned downloads); names not listed run from PATH. */
  tools?: Record<string, string>;
  /** Config to use instead of state + environment (tests). */
  config?: LabConfig;
  onExec?: (event: ExecEvent) => void;
  now?: () => Date;
  flags?: LabContext['flags'];
}

export function createLabContext(options: ContextOptions = {}): LabContext {
  const env = options.env ?? process.env;
  const paths = labPaths(env);
  const config = options.config ?? resolveConfig(readState(paths.state).cluster?.config, env);
  const ui = options.ui ?? createUi(process.stderr, env);
  const signal = options.signal ?? new AbortController().signal;
  const tools = options.tools ?? {};
  const exec = createExec({
    resolve: (name) => tools[name] ?? name,
    logFile: paths.commandLog,
    signal,
    env,
    onEvent: (event) => {
      ui.onExec(event);
      options.onExec?.(event);
    },
  });
  return {
    config,
    paths,
    exec,
    kube: createKube(exec, paths.kubeconfig, kindContext(config)),
    ui,
    signal,
    now: options.now ?? (() => new Date()),
    env,
    flags: options.flags ?? {},
  };
}
