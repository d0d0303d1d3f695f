// The check runner: retries to the deadline, surfaces a retry once per try, fatal stops, warnings don't fail.
import { describe, it, expect } from 'vitest';
import { runChecks } from '../../checks/runner.ts';
import { pass, fail, skip, type Check, type CheckEvent } from '../../checks/types.ts';
import type { LabContext } from '../../scripts/engine/types.ts';
import { InterruptedError } from '../../scripts/lib/errors.ts';
import { CommandError } from '../../scripts/lib/exec.ts';

const ctx = { signal: new AbortController().signal } as LabContext;
const base = { lab: '01', level: 'config' as const, hint: 'node-ready' };

describe('runChecks', () => {
  it('reports pass, fail, warning and skip with hint links', async () => {
    const checks: Check[] = [
      { ...base, id: 'a.pass', title: 'passes', run: async () => pass('fine') },
      { ...base, id: 'a.fail', title: 'fails', run: async () => fail('broken', 'evidence line') },
      { ...base, id: 'a.warn', title: 'warns', warning: true, run: async () => fail('meh') },
      { ...base, id: 'a.skip', title: 'skips', run: async () => skip('not on macOS') },
      { ...base, id: 'a.throw', title: 'throws', run: async () => { throw new Error('kaboom'); } },
    ];
    const report = await runChecks(checks, ctx);
    expect(report.success).toBe(false);
    expect(report.results.map((r) => [r.id, r.status, r.message])).toEqual([
      ['a.pass', 'pass', 'fine'],
      ['a.fail', 'fail', 'broken'],
      ['a.warn', 'warning', 'meh'],
      ['a.skip', 'skip', 'not on macOS'],
      ['a.throw', 'fail', 'kaboom'],
    ]);
    expect(report.results[1]!.evidence).toBe('evidence line');
    expect(report.results[1]!.hint).toBe('labs/01-cluster/README.md#node-ready');
  });

  it('warnings alone do not fail the run', async () => {
    const report = await runChecks([{ ...base, id: 'w', title: 'w', warning: true, run: async () => fail('x') }], ctx);
    expect(report.success).toBe(true);
  });

  it('retries a failing check until it passes within --wait', async () => {
    let n = 0;
    const events: CheckEvent[] = [];
    const report = await runChecks(
      [{ ...base, id: 'r', title: 'eventually', run: async () => (++n < 3 ? fail(`not yet ${n}`) : pass()) }],
      ctx,
      { waitMs: 5000, retryIntervalMs: 10, onEvent: (e) => events.push(e) },
    );
    expect(report.results[0]!.status).toBe('pass');
    expect(report.results[0]!.attempts).toBe(3);
    expect(events.filter((e) => e.type === 'retry').map((e) => (e as { message: string }).message)).toEqual(['not yet 1', 'not yet 2']);
  });

  it('gives up at the deadline and marks the result timed out', async () => {
    const report = await runChecks([{ ...base, id: 't', title: 'never', deadlineMs: 80, run: async () => fail('still down') }], ctx, { retryIntervalMs: 20 });
    expect(report.results[0]!.status).toBe('fail');
    expect(report.results[0]!.timedOut).toBe(true);
    expect(report.results[0]!.attempts).toBeGreaterThan(1);
  });

  it('a fatal failure stops the remaining checks', async () => {
    let ranAfter = false;
    const report = await runChecks(
      [
        { ...base, id: 'f', title: 'api reachable', fatal: true, run: async () => fail('no API') },
        { ...base, id: 'g', title: 'later', run: async () => ((ranAfter = true), pass()) },
      ],
      ctx,
    );
    expect(ranAfter).toBe(false);
    expect(report.abortedBy).toBe('f');
    expect(report.results).toHaveLength(1);
  });

  it('turns a CommandError into its cause line with output as evidence', async () => {
    const err = new CommandError(['kubectl', 'get', 'nodes'], 1, undefined, 10, '', 'The connection to the server was refused', false, false);
    const report = await runChecks([{ ...base, id: 'c', title: 'c', run: async () => { throw err; } }], ctx);
    expect(report.results[0]!.message).toBe('kubectl failed with exit code 1');
    expect(report.results[0]!.evidence).toBe('The connection to the server was refused');
  });

  it('stops on Ctrl-C instead of reporting a failure', async () => {
    const controller = new AbortController();
    const c = { signal: controller.signal } as LabContext;
    setTimeout(() => controller.abort(), 30);
    await expect(runChecks([{ ...base, id: 'x', title: 'x', run: async () => fail('no') }], c, { waitMs: 10_000, retryIntervalMs: 1000 })).rejects.toBeInstanceOf(InterruptedError);
  });
});
