// `lab kubectl|helm|linkerd|kind …`: the pinned binary with the lab's kubeconfig and context already set.
import { createExec } from '../../lib/exec.ts';
import { labPaths } from '../../lib/paths.ts';
import { resolveConfig, kindContext } from '../../lib/config.ts';
import { readState } from '../../lib/state.ts';
import { createUi } from '../../lib/ui.ts';
import { resolveTools } from '../tools-bridge.ts';
import type { Io } from '../main.ts';

export async function passthrough(tool: 'kind' | 'kubectl' | 'helm' | 'linkerd', args: string[], io: Io): Promise<number> {
  const paths = labPaths(io.env);
  const config = resolveConfig(readState(paths.state).cluster?.config, io.env);
  const context = kindContext(config);
  const ui = createUi(io.stderr, io.env);
  const tools = await resolveTools([tool], { env: io.env, install: true, ui });
  const prefix: Record<typeof tool, string[]> = {
    kubectl: ['--kubeconfig', paths.kubeconfig, '--context', context],
    helm: ['--kubeconfig', paths.kubeconfig, '--kube-context', context],
    linkerd: ['--kubeconfig', paths.kubeconfig, '--context', context],
    // kind has no --context; KUBECONFIG below keeps it writing the lab's file, not ~/.kube/config.
    kind: [],
  };
  const exec = createExec({ resolve: (n) => tools[n] ?? n, logFile: paths.commandLog, env: io.env });
  const r = await exec.run([tool, ...prefix[tool], ...args], {
    inherit: true,
    reject: false,
    timeoutMs: 24 * 3_600_000,
    env: { KUBECONFIG: paths.kubeconfig },
  });
  return r.exitCode;
}
