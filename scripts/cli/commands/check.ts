// `lab check` and `lab doctor`: run checks, render them (table/plain/json/junit), record results.
import { findLab, labs } from '../../../labs/registry.ts';
import type { LabDefinition } from '../../engine/types.ts';
import type { Check, CheckRenderer, CheckLevel } from '../../../checks/types.ts';
import { runChecks } from '../../../checks/runner.ts';
import { ExitCode, UserError, parseDuration } from '../../lib/errors.ts';
import { readState, updateState, labRecord } from '../../lib/state.ts';
import type { Session } from '../session.ts';

const OUTPUTS = ['table', 'plain', 'json', 'junit'] as const;
type Output = (typeof OUTPUTS)[number];

function groupTitle(lab: string, level: CheckLevel): string {
  const def = labs.find((l) => l.id === lab);
  return `${lab} ${def?.slug ?? ''} · ${level === 'config' ? 'config' : 'behaviour (live traffic)'}`;
}

async function renderer(output: Output, session: Session): Promise<CheckRenderer> {
  const out = session.io.stdout;
  const t = session.ui.terminal;
  const options = { color: t.color, unicode: t.unicode, groupTitle };
  switch (output) {
    case 'table':
      return (await import('../../../checks/render/table.ts')).tableRenderer(out, options);
    case 'plain':
      return (await import('../../../checks/render/plain.ts')).plainRenderer(out, options);
    case 'json':
      return (await import('../../../checks/render/json.ts')).jsonRenderer(out, options);
    case 'junit':
      return (await import('../../../checks/render/junit.ts')).junitRenderer(out, options);
  }
}

export function parseOutput(value: unknown, session: Session): Output {
  const fallback: Output = session.ui.terminal.tty && session.io.stdout.isTTY ? 'table' : 'plain';
  const o = (value ?? fallback) as string;
  if (!(OUTPUTS as readonly string[]).includes(o)) throw new UserError(`unknown output "${o}"`, `use -o ${OUTPUTS.join('|')}`);
  return o as Output;
}

export interface CheckOptions {
  output?: unknown;
  wait?: unknown;
  /** Exit code when a check fails: 1 for labs, 2 for the doctor (the environment is broken). */
  failCode?: number;
  /** Retry budget the user did not ask for (after `lab run`): running out of it is a failed check, not exit 3. */
  settleMs?: number;
}

export async function checkLabs(session: Session, targets: LabDefinition[], options: CheckOptions): Promise<number> {
  const output = parseOutput(options.output, session);
  const waitMs = options.wait ? parseDuration(String(options.wait)) : (options.settleMs ?? 0);
  const checks: Check[] = [];
  for (const lab of targets) checks.push(...(await lab.load()).checks);
  // Checks never download: `lab run` fetched what its lab needs; a tool still missing is a finding of
  // the doctor, or a failed check that names the command, not a side effect of checking.
  const ctx = await session.context({ tools: ['kubectl', 'linkerd', 'kind'], install: false, optional: true });
  const render = await renderer(output, session);
  const report = await runChecks(checks, ctx, { waitMs, onEvent: (e) => render.onEvent(e) });
  updateState(session.paths.state, (s) => {
    for (const lab of targets) {
      const mine = report.results.filter((r) => r.lab === lab.id);
      labRecord(s, lab.id).check = { at: new Date().toISOString(), passed: mine.every((r) => r.status !== 'fail'), failed: mine.filter((r) => r.status === 'fail').map((r) => r.id) };
    }
  });
  if (report.success) {
    const nextLab = labs.find((l) => l.id > targets[targets.length - 1]!.id && l.id !== '00');
    if (output === 'table' || output === 'plain') session.ui.info(nextLab ? `Next: npx lab run ${nextLab.id}   # ${nextLab.title}` : 'All labs done.');
    return ExitCode.ok;
  }
  if (options.failCode !== undefined) return options.failCode;
  const timedOut = !!options.wait && report.results.some((r) => r.status === 'fail' && r.timedOut);
  return timedOut ? ExitCode.timeout : ExitCode.checkFailed;
}

export async function check(session: Session, positionals: string[], values: Record<string, unknown>): Promise<number> {
  let targets: LabDefinition[];
  if (positionals.length === 0) {
    const state = readState(session.paths.state);
    targets = labs.filter((l) => l.id !== '00' && state.labs[l.id]?.completedAt);
    if (targets.length === 0) throw new UserError('no lab has been run yet, so there is nothing to check', 'start with "npx lab run 01", or name a lab: npx lab check 01');
  } else if (positionals.length === 1 && positionals[0] === 'all') {
    targets = labs.filter((l) => l.id !== '00');
  } else {
    targets = positionals.map(findLab);
  }
  return checkLabs(session, targets, { output: values.output, wait: values.wait });
}

export async function doctor(session: Session, _positionals: string[], values: Record<string, unknown>): Promise<number> {
  return checkLabs(session, [findLab('00')], { output: values.output, failCode: ExitCode.environment });
}
