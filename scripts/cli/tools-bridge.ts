// Resolves the pinned tools a command needs into a name → binary map for the exec seam.
import { createExec } from '../lib/exec.ts';
import { labPaths } from '../lib/paths.ts';
import type { Ui } from '../lib/ui.ts';
import { resolveTool } from '../tools/resolve.ts';
import { isToolName } from '../tools/versions.ts';

export async function resolveTools(
  names: readonly string[],
  options: { env: NodeJS.ProcessEnv; install: boolean; ui: Ui; optional?: boolean },
): Promise<Record<string, string>> {
  const exec = createExec({ logFile: labPaths(options.env).commandLog, env: options.env });
  const map: Record<string, string> = {};
  for (const name of names) {
    if (!isToolName(name)) continue; // docker is the user's own; it runs from PATH
    try {
      const tool = await resolveTool(name, { env: options.env, exec, install: options.install, log: (line) => options.ui.info(line) });
      map[name] = tool.path;
    } catch (error) {
      // The doctor reports missing tools itself; it only wants the ones already at hand.
      if (!options.optional) throw error;
    }
  }
  return map;
}
