// One CLI invocation's shared pieces: UI on stderr, Ctrl-C handling, lab paths, and lab contexts.
import { createUi, type Ui } from '../lib/ui.ts';
import { labPaths, type LabPaths } from '../lib/paths.ts';
import type { LabContext } from '../engine/types.ts';
import type { Io } from './main.ts';

export interface Session {
  io: Io;
  ui: Ui;
  paths: LabPaths;
  signal: AbortSignal;
  /** A lab context whose tool names resolve to the pinned binaries (downloaded when `install`). */
  context(options?: { tools?: readonly string[]; install?: boolean; optional?: boolean; flags?: LabContext['flags'] }): Promise<LabContext>;
  close(): void;
}

export function openSession(io: Io): Session {
  const ui = createUi(io.stderr, io.env);
  const controller = new AbortController();
  let interrupts = 0;
  // Ctrl-C aborts the running command (the exec seam kills it); steps record only finished work,
  // so the state file stays consistent and main() reports exit 130.
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      ui.warn('Interrupting: stopping the running command…');
      controller.abort();
    }
  };
  process.on('SIGINT', onSigint);
  let closed = false;
  return {
    io,
    ui,
    paths: labPaths(io.env),
    signal: controller.signal,
    async context(options = {}) {
      const tools: Record<string, string> = {};
      if (options.tools?.length) {
        const { resolveTools } = await import('./tools-bridge.ts');
        Object.assign(tools, await resolveTools(options.tools, { env: io.env, install: options.install ?? true, optional: options.optional ?? false, ui }));
      }
      // Loaded here, not at start-up: the exec seam pulls in execa, which `lab status` never needs.
      const { createLabContext } = await import('../engine/context.ts');
      return createLabContext({ env: io.env, ui, signal: controller.signal, tools, flags: options.flags ?? {} });
    },
    close() {
      if (closed) return;
      closed = true;
      process.off('SIGINT', onSigint);
      ui.close();
    },
  };
}
