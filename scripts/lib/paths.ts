// Where the project, the lab's private state (.lab/) and the per-user tool cache live.
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { existsSync } from 'node:fs';

/** The repository root, found from this file whether it runs from source or from dist/. */
export const projectRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('dist')) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
})();

export interface LabPaths {
  /** .lab/: everything the lab writes about this attendee's cluster. Git-ignored. */
  home: string;
  state: string;
  kubeconfig: string;
  pki: string;
  logDir: string;
  commandLog: string;
  reports: string;
}

export function labPaths(env: NodeJS.ProcessEnv = process.env): LabPaths {
  const home = resolve(env.LAB_HOME ?? join(projectRoot, '.lab'));
  return {
    home,
    state: join(home, 'state.json'),
    kubeconfig: join(home, 'kubeconfig'),
    pki: join(home, 'pki'),
    logDir: join(home, 'log'),
    commandLog: join(home, 'log', 'commands.jsonl'),
    reports: join(home, 'reports'),
  };
}

/** Per-user tool cache (XDG on Linux, ~/Library/Caches on macOS), shared by every checkout. */
export function toolCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAB_TOOLS_CACHE) return resolve(env.LAB_TOOLS_CACHE);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'edge-to-mesh', 'tools');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'edge-to-mesh', 'tools');
}

/** Path relative to the project root when it is inside it: shorter commands to copy. */
export function displayPath(path: string): string {
  const cwd = process.cwd();
  if (path.startsWith(cwd + '/')) return path.slice(cwd.length + 1);
  return path;
}

export function labFile(...parts: string[]): string {
  return join(projectRoot, ...parts);
}
