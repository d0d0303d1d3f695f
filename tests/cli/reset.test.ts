// `lab reset`: undo later labs in reverse order (guarded), keep earlier ones, and record it in state.
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeEnv, type FakeEnv } from '../helpers/fake-env.ts';
import { lab } from '../helpers/cli.ts';
import { kindNode, marker, seedLabHome } from '../helpers/cluster.ts';

let fake: FakeEnv;
afterEach(() => fake?.cleanup());

const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase: 'Active' } });
const done = { steps: { x: '2026-12-04T10:00:00.000Z' }, completedAt: '2026-12-04T10:00:00.000Z', check: { at: 'x', passed: true, failed: [] } };

describe('lab reset', () => {
  it('--to 02 undoes labs 04, 03 and 02 in that order and keeps the cluster', async () => {
    fake = fakeEnv({ kindClusters: ['edge-to-mesh'], objects: [kindNode(), marker(), ns('linkerd'), ns('app'), ns('emissary')] });
    seedLabHome(fake.env.LAB_HOME!, undefined, { '01': done, '02': done, '03': done, '04': done });
    const r = await lab(['reset', '--to', '02'], fake.env);
    expect(r.stderr).not.toMatch(/ERROR|REFUSED/);
    expect(r.code).toBe(0);
    const mutating = fake.calls()
      .filter((c) => c.argv.includes('delete') || c.argv.includes('uninstall') || c.argv.includes('create'))
      .map((c) => `${c.tool} ${c.argv.filter((a) => !a.startsWith('--') && !a.includes('/') && a !== 'kind-edge-to-mesh').join(' ')}`);
    // <tool> <verb> <release|kind> <name|namespace>, flags and the kubeconfig path left out
    expect(mutating).toEqual([
      'helm uninstall emissary emissary',
      'helm uninstall emissary-crds emissary',
      'kubectl delete namespace emissary',
      'kubectl delete namespace app',
      'kubectl delete namespace mesh-probe',
      'helm uninstall linkerd-viz linkerd-viz',
      'kubectl delete namespace linkerd-viz',
      'helm uninstall linkerd-control-plane linkerd',
      'helm uninstall linkerd-crds linkerd',
      'kubectl delete namespace linkerd',
    ]);
    const state = JSON.parse(readFileSync(join(fake.env.LAB_HOME!, 'state.json'), 'utf8'));
    expect(Object.keys(state.labs)).toEqual(['01']);
    expect(state.cluster.name).toBe('edge-to-mesh');
    expect(r.stderr).toMatch(/Next: npx lab run 02/);
  });

  it('refuses to undo anything on a cluster that is not the lab\'s', async () => {
    fake = fakeEnv({ kindClusters: ['edge-to-mesh'], objects: [kindNode(), marker('11111111-2222-3333-4444-555555555555'), ns('emissary')] });
    seedLabHome(fake.env.LAB_HOME!, undefined, { '01': done, '04': done });
    const r = await lab(['reset', '--to', '04'], fake.env);
    expect(r.code).toBe(4);
    expect(fake.calls().filter((c) => c.argv.includes('uninstall') || c.argv.includes('delete'))).toEqual([]);
  });

  it('needs --to or --hard', async () => {
    fake = fakeEnv();
    const r = await lab(['reset'], fake.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/say where to reset to/);
  });
});
