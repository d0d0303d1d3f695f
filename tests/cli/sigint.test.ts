// Ctrl-C during a long step: exit 130, a state file that still parses and records nothing half-done, clean resume.
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fakeEnv, type FakeEnv } from '../helpers/fake-env.ts';
import { lab, startLab } from '../helpers/cli.ts';
import { kindNode } from '../helpers/cluster.ts';

let fake: FakeEnv;
afterEach(() => fake?.cleanup());

async function until(cond: () => boolean, budgetMs: number, what: string): Promise<void> {
  const deadline = Date.now() + budgetMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${budgetMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Ctrl-C', () => {
  it('stops a blocked `kind create cluster`, exits 130, and a second run resumes', async () => {
    fake = fakeEnv({ rules: [{ tool: 'kind', args: ['create', 'cluster'], block: true }] });
    const { child, done } = startLab(['run', '01', '--no-check'], fake.env);
    await until(() => fake.calls().some((c) => c.tool === 'kind' && c.argv.includes('create')), 20_000, 'kind create cluster to start');
    const t0 = Date.now();
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(r.stderr).toMatch(/Interrupted/);

    const statePath = join(fake.env.LAB_HOME!, 'state.json');
    expect(existsSync(statePath)).toBe(true);
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    expect(state.schema).toBe('edge-to-mesh/state/v1');
    expect(state.cluster).toBeNull();
    expect(state.labs['01'].completedAt).toBeUndefined();
    expect(Object.keys(state.labs['01'].steps).some((s) => /create|cluster/.test(s))).toBe(false);

    // Resume: the cluster comes up this time (the recorded node stands in for what kind creates).
    fake.setScenario({ persist: true, objects: [kindNode()] });
    const again = await lab(['run', '01', '--no-check'], fake.env);
    expect(again.stderr).not.toMatch(/ERROR/);
    expect(again.code).toBe(0);
    const resumed = JSON.parse(readFileSync(statePath, 'utf8'));
    expect(resumed.cluster.name).toBe('edge-to-mesh');
    expect(resumed.labs['01'].completedAt).toBeDefined();
  }, 60_000);
});
