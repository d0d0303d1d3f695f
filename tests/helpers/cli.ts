// Runs the built `lab` CLI (dist/, made by `npm test`'s tsc step) as a user would, capturing output.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './fake-env.ts';

export const labBin = join(repoRoot, 'scripts', 'bin', 'lab.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startLab(args: string[], env: NodeJS.ProcessEnv, cwd = repoRoot): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [labBin, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function lab(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return startLab(args, env).done;
}
