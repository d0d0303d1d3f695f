// Runs a lab's steps in order (guard first, skip what already holds, record each finished step).
import type { Action, LabContext, LabDefinition, LabModule, Step } from './types.ts';
import { confirmLabCluster } from '../cluster/guard.ts';
import { InterruptedError, TimeoutError, formatDuration } from '../lib/errors.ts';
import { CommandError } from '../lib/exec.ts';
import { labRecord, updateState } from '../lib/state.ts';

export type RunMode = 'run' | 'solve';

export function stepsFor(mod: LabModule, mode: RunMode): Step[] {
  return mode === 'solve' ? (mod.solution ?? mod.steps) : mod.steps;
}

export interface RunOutcome {
  ran: string[];
  skipped: string[];
}

export async function runLab(ctx: LabContext, lab: LabDefinition, mod: LabModule, mode: RunMode): Promise<RunOutcome> {
  const at = () => ctx.now().toISOString();
  updateState(ctx.paths.state, (s) => {
    const rec = labRecord(s, lab.id);
    rec.startedAt = at();
    delete rec.completedAt;
    delete rec.check;
  });
  const outcome = await executeSteps(ctx, stepsFor(mod, mode), (step) =>
    // Recorded only once the step has finished, so an interrupted step simply runs again next time.
    updateState(ctx.paths.state, (s) => {
      labRecord(s, lab.id).steps[step.id] = at();
    }),
  );
  updateState(ctx.paths.state, (s) => {
    const rec = labRecord(s, lab.id);
    rec.completedAt = at();
    if (mode === 'solve') rec.solvedAt = rec.completedAt;
  });
  return outcome;
}

/** Runs steps in order: the guard before the first guarded step, skipping steps whose outcome holds. */
export async function executeSteps(ctx: LabContext, steps: Step[], onStepDone: (step: Step) => void = () => {}): Promise<RunOutcome> {
  const outcome: RunOutcome = { ran: [], skipped: [] };
  let guarded = false;
  for (const step of steps) {
    if (ctx.signal.aborted) throw new InterruptedError();
    if ((step.guard ?? 'cluster') === 'cluster' && !guarded) {
      await confirmLabCluster(ctx);
      guarded = true;
    }
    const already = step.satisfied ? await step.satisfied(ctx) : false;
    if (already) {
      ctx.ui.ok(`${step.title} — already done: ${already}`);
      outcome.skipped.push(step.id);
    } else {
      ctx.ui.begin(step.title);
      try {
        for (const action of step.actions(ctx)) await runAction(ctx, action);
      } catch (error) {
        ctx.ui.end(false, error instanceof InterruptedError ? 'interrupted' : undefined);
        throw error;
      }
      ctx.ui.end(true);
      outcome.ran.push(step.id);
    }
    onStepDone(step);
  }
  return outcome;
}

const TIMEOUT_TEXT = /timed out|deadline exceeded|timeout/i;

export async function runAction(ctx: LabContext, action: Action): Promise<void> {
  if (action.type === 'task') {
    ctx.ui.detail(action.title);
    await action.run(ctx);
    return;
  }
  if (action.type === 'exec') {
    if (action.why) ctx.ui.detail(action.why);
    await ctx.exec.run(action.argv, {
      ...(action.stdinFile ? { inputFile: action.stdinFile } : {}),
      ...(action.stdinText !== undefined ? { input: action.stdinText } : {}),
      ...(action.timeoutMs ? { timeoutMs: action.timeoutMs } : {}),
    });
    return;
  }
  ctx.ui.detail(`Waiting ≤ ${formatDuration(action.budgetMs)} for ${action.what}`);
  try {
    // The command waits by itself; the seam's timeout is a backstop a little past the budget.
    await ctx.exec.run(action.argv, { timeoutMs: action.budgetMs + 15_000 });
  } catch (error) {
    if (error instanceof CommandError && (error.timedOut || TIMEOUT_TEXT.test(error.stderr))) {
      let last: string | undefined;
      if (action.lastState) {
        const r = await ctx.exec.run(action.lastState, { quiet: true, reject: false, timeoutMs: 20_000 }).catch(() => undefined);
        last = r ? (r.stdout || r.stderr).trim() : undefined;
      }
      throw new TimeoutError(action.what, action.budgetMs, last ?? error.stderr);
    }
    throw error;
  }
}
