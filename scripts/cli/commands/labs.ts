// `lab run|solve|goto|reset|down`: apply labs through the step runner, in registry order.
import { findLab, labs, labsBefore } from '../../../labs/registry.ts';
import type { LabDefinition, LabModule, Step } from '../../engine/types.ts';
import { runLab, executeSteps, type RunMode } from '../../engine/runner.ts';
import { planArgv } from '../../engine/plan.ts';
import { createLabContext } from '../../engine/context.ts';
import { readState, labStatus, updateState } from '../../lib/state.ts';
import { ExitCode, UserError } from '../../lib/errors.ts';
import type { Session } from '../session.ts';
import { checkLabs } from './check.ts';

/** Right after a run, give config a moment to reach the proxies and Envoy before calling a check failed. */
const SETTLE_MS = 60_000;

/** The tools a lab's commands name, plus what its checks read with. */
function toolsFor(mod: LabModule, mode: RunMode, session: Session, extra: Step[] = []): string[] {
  const probe = createLabContext({ env: session.io.env, ui: session.ui });
  const argv = [...planArgv(probe, mod, mode), ...extra.flatMap((s) => s.actions(probe)).flatMap((a) => (a.type === 'task' ? [] : [a.argv]))];
  return [...new Set(['kubectl', ...argv.map((a) => a[0]!)])];
}

function requireLab(positionals: string[], verb: string): LabDefinition {
  if (positionals.length !== 1) throw new UserError(`"lab ${verb}" takes one lab`, `for example: npx lab ${verb} 01   (labs: ${labs.map((l) => l.id).join(', ')})`);
  const lab = findLab(positionals[0]!);
  if (lab.id === '00') throw new UserError(`lab 00 is the doctor: it changes nothing`, 'run "npx lab doctor"');
  return lab;
}

async function apply(session: Session, lab: LabDefinition, mode: RunMode, flags: Record<string, unknown>): Promise<void> {
  const mod = await lab.load();
  const tools = [...toolsFor(mod, mode, session), ...(lab.checkTools ?? [])];
  const ctx = await session.context({ tools, flags: { rotate: !!flags.rotate, recreate: !!flags.recreate } });
  session.ui.info(`── lab ${lab.id} ${lab.slug}: ${lab.title}${mode === 'solve' ? ' (solution)' : ''}`);
  await runLab(ctx, lab, mod, mode);
}

export async function run(session: Session, positionals: string[], values: Record<string, unknown>): Promise<number> {
  const lab = requireLab(positionals, 'run');
  const state = readState(session.paths.state);
  for (const dep of lab.dependsOn.filter((d) => d !== '00')) {
    const st = labStatus(state.labs[dep]);
    if (st === 'not started' || st === 'in progress') {
      throw new UserError(`lab ${lab.id} builds on lab ${dep}, which is ${st}`, `run "npx lab run ${dep}" first, or "npx lab goto ${lab.id}" to solve every earlier lab`);
    }
  }
  await apply(session, lab, 'run', values);
  if (values['no-check']) return ExitCode.ok;
  return checkLabs(session, [lab], { settleMs: SETTLE_MS });
}

export async function solve(session: Session, positionals: string[], values: Record<string, unknown>): Promise<number> {
  const lab = requireLab(positionals, 'solve');
  await apply(session, lab, 'solve', values);
  return checkLabs(session, [lab], { settleMs: SETTLE_MS });
}

export async function goto(session: Session, positionals: string[]): Promise<number> {
  const lab = requireLab(positionals, 'goto');
  for (const before of labsBefore(lab)) await apply(session, before, 'solve', {});
  session.ui.ok(`Ready for lab ${lab.id}. Next: npx lab run ${lab.id}`);
  return ExitCode.ok;
}

export async function down(session: Session, _positionals: string[], values: Record<string, unknown>): Promise<number> {
  const cluster = labs.find((l) => l.id === '01')!;
  const mod = (await cluster.load()) as LabModule & { downSteps?: (ctx: ReturnType<typeof createLabContext>) => Step[] };
  if (!mod.downSteps) throw new Error('lab 01 does not export downSteps');
  const probe = createLabContext({ env: session.io.env, ui: session.ui, flags: { purge: !!values.purge } });
  const steps = mod.downSteps(probe);
  const ctx = await session.context({ tools: ['kind', 'kubectl'], flags: { purge: !!values.purge } });
  await executeSteps(ctx, steps);
  session.ui.ok(`Cluster "${ctx.config.clusterName}" is gone.${values.purge ? '' : ' The tool cache and .lab/pki are kept (--purge removes the PKI).'}`);
  return ExitCode.ok;
}

export async function reset(session: Session, positionals: string[], values: Record<string, unknown>): Promise<number> {
  if (positionals.length) throw new UserError('lab reset takes --to <lab> and/or --hard, not a positional lab', 'for example: npx lab reset --to 03');
  if (!values.to && !values.hard) throw new UserError('say where to reset to', 'npx lab reset --to <lab> (undo that lab and later ones), or --hard (recreate the cluster)');
  const target = findLab(String(values.to ?? '01'));
  if (values.hard) {
    if (readState(session.paths.state).cluster) await down(session, [], {});
  } else {
    const later = labs.filter((l) => l.id >= target.id && l.id !== '00').reverse();
    for (const lab of later) {
      const mod = await lab.load();
      if (mod.undo?.length) {
        const ctx = await session.context({ tools: toolsFor(mod, 'run', session, mod.undo) });
        session.ui.info(`── undo lab ${lab.id} ${lab.slug}`);
        await executeSteps(ctx, mod.undo);
      } else if (lab.id !== '01' && readState(session.paths.state).labs[lab.id]) {
        throw new UserError(`lab ${lab.id} cannot be undone in place`, `use "npx lab reset --hard --to ${target.id}"`);
      }
      updateState(session.paths.state, (s) => {
        delete s.labs[lab.id];
      });
    }
  }
  for (const before of labsBefore(target)) await apply(session, before, 'solve', {});
  session.ui.ok(`Reset done. Next: npx lab run ${target.id}`);
  return ExitCode.ok;
}

