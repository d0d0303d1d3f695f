// `lab plan`: every command a run would execute, shell-quoted, nothing executed.
import type { Action, LabContext, LabDefinition, LabModule } from './types.ts';
import { stepsFor, type RunMode } from './runner.ts';
import { quoteArgv } from '../lib/quote.ts';
import { displayPath } from '../lib/paths.ts';
import { formatDuration } from '../lib/errors.ts';

/** Paths inside the project print relative, so the plan can be pasted from the repo root. */
function shown(argv: string[]): string {
  return quoteArgv(argv.map((a) => (a.startsWith('/') ? displayPath(a) : a)));
}

export function renderAction(action: Action): string[] {
  switch (action.type) {
    case 'exec': {
      const lines = action.why ? [`# ${action.why}`] : [];
      if (action.stdinText !== undefined) {
        lines.push(`${shown(action.argv)} <<'EOF'`, ...action.stdinText.trimEnd().split('\n'), 'EOF');
      } else if (action.stdinFile) {
        lines.push(`${shown(action.argv)} < ${displayPath(action.stdinFile)}`);
      } else {
        lines.push(shown(action.argv));
      }
      return lines;
    }
    case 'wait':
      return [`# Waiting ≤ ${formatDuration(action.budgetMs)} for ${action.what}`, shown(action.argv)];
    case 'task':
      if (action.pipeline && action.equivalent?.length) return [`# in-process: ${action.title}`, `#   same as: ${action.equivalent.map(shown).join(' | ')}`];
      return [`# in-process: ${action.title}`, ...(action.equivalent ?? []).map((argv) => `#   same as: ${shown(argv)}`)];
  }
}

export function planLab(ctx: LabContext, lab: LabDefinition, mod: LabModule, mode: RunMode): string[] {
  const out: string[] = [`# ── lab ${lab.id} ${lab.slug}: ${lab.title}`];
  for (const step of stepsFor(mod, mode)) {
    out.push(`# step ${lab.id}/${step.id}: ${step.title}${step.satisfied ? ' (skipped when already done)' : ''}`);
    for (const action of step.actions(ctx)) out.push(...renderAction(action));
  }
  return out;
}

/** Just the argv lists, for golden tests and for tools that want them as data. */
export function planArgv(ctx: LabContext, mod: LabModule, mode: RunMode): string[][] {
  return stepsFor(mod, mode).flatMap((s) => s.actions(ctx)).flatMap((a) => (a.type === 'task' ? [] : [a.argv]));
}
