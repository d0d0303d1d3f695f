// `lab status` and the next suggested action, from the registry and the state file.
import { labs } from '../../../labs/registry.ts';
import { readState, labStatus, type LabState, type LabStatus } from '../../lib/state.ts';
import { paint, marks } from '../../lib/terminal.ts';
import type { Session } from '../session.ts';
import { ExitCode } from '../../lib/errors.ts';

export interface LabRow {
  id: string;
  slug: string;
  title: string;
  status: LabStatus;
}

export function labRows(state: LabState): LabRow[] {
  return labs.map((l) => ({ id: l.id, slug: l.slug, title: l.title, status: labStatus(state.labs[l.id]) }));
}

/** The command a learner should type next. */
export function nextCommand(rows: LabRow[]): { command: string; why: string } | undefined {
  for (const row of rows) {
    if (row.status === 'done') continue;
    if (row.id === '00') return { command: 'npx lab doctor', why: 'check this machine is ready' };
    if (row.status === 'applied' || row.status === 'failed') return { command: `npx lab check ${row.id}`, why: `prove lab ${row.id} works` };
    return { command: `npx lab run ${row.id}`, why: `${row.status === 'in progress' ? 'finish' : 'start'} lab ${row.id}: ${row.title}` };
  }
  return undefined;
}

export function renderStatus(rows: LabRow[], color: boolean, unicode: boolean): string {
  const p = paint(color);
  const m = marks(unicode);
  const mark: Record<LabStatus, string> = {
    done: p.green(m.ok),
    failed: p.red(m.fail),
    applied: p.yellow(m.bullet),
    'in progress': p.yellow(m.bullet),
    'not started': p.dim(m.skip),
  };
  const lines = rows.map((r) => `${mark[r.status]} ${r.id} ${r.slug.padEnd(12)} ${r.status.padEnd(12)} ${p.dim(r.title)}`);
  const next = nextCommand(rows);
  lines.push('', next ? `Next: ${p.bold(next.command)}   ${p.dim(`# ${next.why}`)}` : `All labs done. ${p.dim('Instructors: npx lab reset --to <lab>')}`);
  return lines.join('\n') + '\n';
}

export async function status(session: Session, _positionals: string[], values: Record<string, unknown>): Promise<number> {
  const state = readState(session.paths.state);
  const rows = labRows(state);
  if (values.output === 'json') {
    session.io.stdout.write(JSON.stringify({ cluster: state.cluster, labs: rows, next: nextCommand(rows) ?? null }, null, 2) + '\n');
    return ExitCode.ok;
  }
  const t = session.ui.terminal;
  session.io.stdout.write(renderStatus(rows, t.color, t.unicode));
  return ExitCode.ok;
}
