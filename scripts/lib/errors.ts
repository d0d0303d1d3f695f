// Error classes and the exit-code contract: only main() turns these into a process exit.

/** Exit codes documented in README.md. */
export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  environment: 2,
  timeout: 3,
  guardRefused: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A mistake the user can fix (bad flag, unknown lab, corrupt state): exit 2 with a hint. */
export class UserError extends Error {
  readonly exitCode: ExitCode = ExitCode.environment;
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** The machine is not ready (Docker down, tool missing, download failed): exit 2. */
export class EnvironmentError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'EnvironmentError';
  }
}

/** The cluster guard refused a mutating step: exit 4. */
export class GuardError extends Error {
  readonly exitCode: ExitCode = ExitCode.guardRefused;
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'GuardError';
  }
}

/** A wait ran out of budget: exit 3, naming what was awaited and the last state seen. */
export class TimeoutError extends Error {
  readonly exitCode: ExitCode = ExitCode.timeout;
  constructor(readonly awaited: string, readonly budgetMs: number, readonly lastState?: string) {
    super(`timed out after ${formatDuration(budgetMs)} waiting for ${awaited}`);
    this.name = 'TimeoutError';
  }
}

/** Ctrl-C: exit 130 once state is consistent. */
export class InterruptedError extends Error {
  readonly exitCode: ExitCode = ExitCode.interrupted;
  constructor() {
    super('interrupted');
    this.name = 'InterruptedError';
  }
}

/** A check (or a step's verification) failed: exit 1. */
export class CheckFailedError extends Error {
  readonly exitCode: ExitCode = ExitCode.checkFailed;
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailedError';
  }
}

export function exitCodeOf(error: unknown): ExitCode {
  if (error && typeof error === 'object' && 'exitCode' in error) {
    const code = (error as { exitCode: unknown }).exitCode;
    if (error instanceof Error && error.name === 'CommandError') return ExitCode.environment;
    if (typeof code === 'number' && (Object.values(ExitCode) as number[]).includes(code)) return code as ExitCode;
  }
  return ExitCode.environment;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return rest ? `${m}m${rest}s` : `${m}m`;
}

/** Parses "90s", "2m", "1m30s", "500ms" into milliseconds. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = '';
  for (const m of text.matchAll(re)) {
    const n = Number(m[1]);
    total += n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed += m[0];
  }
  if (!text || consumed !== text) throw new UserError(`invalid duration "${text}"`, 'use a number with a unit, like 90s, 2m or 1m30s');
  return total;
}
