// Runs checks in order, retrying each until its deadline, and reports through events (no rendering here).
import type { Check, CheckContext, CheckEvent, CheckOutcome, CheckReport, CheckResult } from './types.ts';
import { hintUrl } from '../labs/registry.ts';
import { InterruptedError } from '../scripts/lib/errors.ts';
import { CommandError } from '../scripts/lib/exec.ts';

export interface RunChecksOptions {
  /** Retry every check for up to this long (the `--wait` flag); a check's own deadline wins if longer. */
  waitMs?: number;
  /** Pause between tries; tests shorten it. */
  retryIntervalMs?: number;
  onEvent?: (event: CheckEvent) => void;
  now?: () => number;
}

function toOutcome(error: unknown): CheckOutcome {
  if (error instanceof InterruptedError) throw error;
  if (error instanceof CommandError) return { status: 'fail', message: error.cause1, evidence: error.stderr || error.stdout || undefined } as CheckOutcome;
  return { status: 'fail', message: error instanceof Error ? error.message : String(error) };
}

async function attempt(check: Check, ctx: CheckContext): Promise<CheckOutcome> {
  try {
    return await check.run(ctx);
  } catch (error) {
    return toOutcome(error);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new InterruptedError());
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new InterruptedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function runChecks(checks: Check[], ctx: CheckContext, options: RunChecksOptions = {}): Promise<CheckReport> {
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? (() => {});
  const interval = options.retryIntervalMs ?? 2000;
  const started = now();
  const results: CheckResult[] = [];
  let abortedBy: string | undefined;
  emit({ type: 'begin', checks });
  for (const check of checks) {
    if (ctx.signal.aborted) throw new InterruptedError();
    emit({ type: 'start', check });
    const t0 = now();
    const budget = Math.max(check.deadlineMs ?? 0, options.waitMs ?? 0);
    let attempts = 0;
    let outcome: CheckOutcome;
    let timedOut = false;
    for (;;) {
      attempts++;
      outcome = await attempt(check, ctx);
      if (outcome.status !== 'fail') break;
      const remaining = budget - (now() - t0);
      if (remaining <= 0) {
        timedOut = budget > 0;
        break;
      }
      emit({ type: 'retry', check, attempt: attempts, message: outcome.message, remainingMs: remaining });
      await sleep(Math.min(interval, remaining), ctx.signal);
    }
    const status = outcome.status === 'fail' ? (check.warning ? 'warning' : 'fail') : outcome.status;
    const result: CheckResult = {
      id: check.id,
      title: check.title,
      lab: check.lab,
      level: check.level,
      status,
      hint: hintUrl(check.lab, check.hint),
      durationMs: now() - t0,
      attempts,
    };
    if (outcome.status === 'fail') {
      result.message = outcome.message;
      if (outcome.evidence) result.evidence = outcome.evidence;
    } else if (outcome.status === 'skip') result.message = outcome.reason;
    else if (outcome.note) result.message = outcome.note;
    if (timedOut) result.timedOut = true;
    results.push(result);
    emit({ type: 'result', check, result });
    if (status === 'fail' && check.fatal) {
      abortedBy = check.id;
      break;
    }
  }
  const report: CheckReport = {
    success: results.every((r) => r.status !== 'fail'),
    startedAt: new Date(started).toISOString(),
    durationMs: now() - started,
    results,
    ...(abortedBy ? { abortedBy } : {}),
  };
  emit({ type: 'end', report });
  return report;
}
