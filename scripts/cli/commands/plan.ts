// `lab plan`: every command the given labs would run, shell-quoted; nothing runs.
import { findLab, labs } from '../../../labs/registry.ts';
import { planLab } from '../../engine/plan.ts';
import { createLabContext } from '../../engine/context.ts';
import { ExitCode } from '../../lib/errors.ts';
import type { Session } from '../session.ts';

export async function plan(session: Session, positionals: string[], values: Record<string, unknown>): Promise<number> {
  const targets =
    positionals.length === 0 || (positionals.length === 1 && positionals[0] === 'all')
      ? labs.filter((l) => l.id !== '00')
      : positionals.map(findLab);
  const ctx = createLabContext({ env: session.io.env, ui: session.ui });
  const lines: string[] = [];
  for (const lab of targets) lines.push(...planLab(ctx, lab, await lab.load(), values.solve ? 'solve' : 'run'), '');
  session.io.stdout.write(lines.join('\n'));
  return ExitCode.ok;
}
