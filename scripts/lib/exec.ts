// The one exec seam: every process the lab starts goes through run() here (argv arrays only).
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa, type Options as ExecaOptions } from 'execa';
import { quoteArgv } from './quote.ts';
import { formatDuration, InterruptedError } from './errors.ts';
import { displayPath } from './paths.ts';

export interface ExecOptions {
  /** Kill the process after this long; the error says it timed out. Default 5 minutes. */
  timeoutMs?: number;
  input?: string;
  inputFile?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Do not throw on a non-zero exit; the caller inspects exitCode. */
  reject?: boolean;
  /** Hand the terminal to the child (pass-through commands like `lab kubectl`). */
  inherit?: boolean;
  /** Hide this command from the printed stream (background reads such as checks). */
  quiet?: boolean;
}

export interface ExecResult {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export type ExecEvent =
  | { type: 'start'; argv: string[]; display: string; quiet: boolean }
  | { type: 'output'; argv: string[]; chunk: string; quiet: boolean }
  | { type: 'end'; argv: string[]; exitCode: number; durationMs: number; quiet: boolean; error?: CommandError };

const TRIM = 4000;
function trimOutput(text: string): string {
  const t = text.trim();
  return t.length > TRIM ? `…${t.slice(-TRIM)}` : t;
}

/** A command that failed: carries argv, exit code, signal, duration and trimmed output. */
export class CommandError extends Error {
  readonly exitCode: number;
  constructor(
    readonly argv: string[],
    code: number | undefined,
    readonly signal: string | undefined,
    readonly durationMs: number,
    readonly stdout: string,
    readonly stderr: string,
    readonly timedOut: boolean,
    readonly notFound: boolean,
  ) {
    const cmd = quoteArgv(argv);
    let cause: string;
    if (notFound) cause = `${argv[0]}: command not found`;
    else if (timedOut) cause = `${argv[0]} timed out after ${formatDuration(durationMs)}`;
    else if (signal) cause = `${argv[0]} was killed by ${signal}`;
    else cause = `${argv[0]} failed with exit code ${code}`;
    super(`${cause}\nCommand: ${cmd}${stderr ? `\nCommand Output:\n${stderr}` : stdout ? `\nCommand Output:\n${stdout}` : ''}`);
    this.name = 'CommandError';
    this.exitCode = notFound ? 127 : (code ?? 1);
  }
  /** First line of the message: the cause, without the command and its output. */
  get cause1(): string {
    return this.message.split('\n')[0]!;
  }
}

export type Resolver = (name: string) => string;

export interface Exec {
  run(argv: string[], options?: ExecOptions): Promise<ExecResult>;
}

export interface ExecSettings {
  /** Maps a tool name (argv[0]) to the binary that runs; the printed command keeps the name. */
  resolve?: Resolver;
  /** Appends one JSON line per command: argv, start, duration, exit code. */
  logFile?: string;
  onEvent?: (event: ExecEvent) => void;
  /** Aborts every running child (Ctrl-C). */
  signal?: AbortSignal;
  /** The environment children start from (tests inject theirs); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export function createExec(settings: ExecSettings = {}): Exec {
  const resolve = settings.resolve ?? ((name: string) => name);
  const log = (entry: object) => {
    if (!settings.logFile) return;
    try {
      mkdirSync(dirname(settings.logFile), { recursive: true });
      appendFileSync(settings.logFile, JSON.stringify(entry) + '\n');
    } catch {
      // The command log is for support; a read-only .lab/ must not break the lab itself.
    }
  };
  return {
    async run(argv, options = {}) {
      if (argv.length === 0) throw new TypeError('exec: empty argv');
      if (settings.signal?.aborted) throw new InterruptedError();
      const quiet = options.quiet ?? false;
      // Paths inside the working directory print relative: shorter to read and to paste.
      const display = quoteArgv(argv.map((a) => (a.startsWith('/') ? displayPath(a) : a)));
      settings.onEvent?.({ type: 'start', argv, display, quiet });
      const started = Date.now();
      const [file, ...args] = [resolve(argv[0]!), ...argv.slice(1)];
      const sub = execa(file, args, {
        reject: false,
        timeout: options.timeoutMs ?? 300_000,
        cancelSignal: settings.signal,
        forceKillAfterDelay: 3000,
        cwd: options.cwd,
        env: { ...(settings.env ?? process.env), ...options.env },
        extendEnv: false,
        stripFinalNewline: false,
        stdin: options.inherit ? 'inherit' : options.inputFile ? { file: options.inputFile } : options.input !== undefined ? 'pipe' : 'ignore',
        input: options.inputFile ? undefined : options.input,
        stdout: options.inherit ? 'inherit' : 'pipe',
        stderr: options.inherit ? 'inherit' : 'pipe',
        encoding: 'utf8',
      } as ExecaOptions);
      if (!options.inherit && settings.onEvent) {
        const forward = (chunk: Buffer | string) => settings.onEvent?.({ type: 'output', argv, chunk: chunk.toString(), quiet });
        sub.stdout?.on('data', forward);
        sub.stderr?.on('data', forward);
      }
      const r = await sub;
      const durationMs = Date.now() - started;
      const stdout = typeof r.stdout === 'string' ? r.stdout : '';
      const stderr = typeof r.stderr === 'string' ? r.stderr : '';
      const notFound = (r as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String((r as { originalMessage?: string }).originalMessage ?? ''));
      const exitCode = r.exitCode ?? (notFound ? 127 : 1);
      log({ argv, start: new Date(started).toISOString(), durationMs, exitCode, signal: r.signal ?? undefined, timedOut: r.timedOut || undefined });
      if (r.isCanceled || (settings.signal?.aborted && r.failed)) {
        settings.onEvent?.({ type: 'end', argv, exitCode: 130, durationMs, quiet });
        throw new InterruptedError();
      }
      const failed = r.failed && (r.timedOut || notFound || r.signal !== undefined || exitCode !== 0);
      if (failed && options.reject !== false) {
        const error = new CommandError(argv, r.exitCode, r.signal ?? undefined, durationMs, trimOutput(stdout), trimOutput(stderr), !!r.timedOut, notFound);
        settings.onEvent?.({ type: 'end', argv, exitCode: error.exitCode, durationMs, quiet, error });
        throw error;
      }
      settings.onEvent?.({ type: 'end', argv, exitCode, durationMs, quiet });
      return { argv, exitCode, stdout, stderr, durationMs };
    },
  };
}
