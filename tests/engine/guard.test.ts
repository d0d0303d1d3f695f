// The cluster guard refuses anything but the lab's own kind cluster, before any mutating call.
import { describe, it, expect, afterEach } from 'vitest';
import { fakeEnv, type FakeEnv, silentUi } from '../helpers/fake-env.ts';
import { kindNode, marker, seedLabHome, CLUSTER_ID } from '../helpers/cluster.ts';
import { confirmLabCluster } from '../../scripts/cluster/guard.ts';
import { createLabContext } from '../../scripts/engine/context.ts';
import { GuardError } from '../../scripts/lib/errors.ts';
import { executeSteps } from '../../scripts/engine/runner.ts';

let fake: FakeEnv;
afterEach(() => fake?.cleanup());
const ctxOf = (f: FakeEnv) => createLabContext({ env: f.env, ui: silentUi() });

describe('cluster guard', () => {
  it('accepts the lab cluster: kind providerID, marker id matches the state', async () => {
    fake = fakeEnv({ objects: [kindNode(), marker()] });
    seedLabHome(fake.env.LAB_HOME!);
    await expect(confirmLabCluster(ctxOf(fake))).resolves.toBeUndefined();
    const calls = fake.calls();
    expect(calls.every((c) => c.argv.includes('--kubeconfig') && c.argv.includes('kind-edge-to-mesh'))).toBe(true);
  });

  it.each([
    ['a non-kind node', [kindNode('edge-to-mesh', 'none'), marker()], /providerID "aws:\/\/\/eu-west-1a\/i-0abc", not kind:\/\//],
    ['a kind node of another cluster', [kindNode('other'), marker()], /not the lab's kind cluster/],
    ['no marker', [kindNode()], /no lab marker/],
    ['a marker from another checkout', [kindNode(), marker('00000000-0000-0000-0000-000000000000')], /marker id 00000000/],
  ])('refuses %s', async (_name, objects, message) => {
    fake = fakeEnv({ objects });
    seedLabHome(fake.env.LAB_HOME!);
    const error = await confirmLabCluster(ctxOf(fake)).catch((e) => e);
    expect(error).toBeInstanceOf(GuardError);
    expect(error.message).toMatch(message);
    expect(error.exitCode).toBe(4);
  });

  it('refuses when no cluster is recorded in state', async () => {
    fake = fakeEnv({ objects: [kindNode(), marker()] });
    const error = await confirmLabCluster(ctxOf(fake)).catch((e) => e);
    expect(error).toBeInstanceOf(GuardError);
    expect(error.message).toMatch(/no lab cluster is recorded/);
    expect(fake.calls()).toEqual([]);
  });

  it('runs before the first mutating command of a step list', async () => {
    fake = fakeEnv({ objects: [kindNode('edge-to-mesh', 'none'), marker()] });
    seedLabHome(fake.env.LAB_HOME!, CLUSTER_ID);
    const ctx = ctxOf(fake);
    const steps = [{ id: 'apply', title: 'apply things', actions: () => [{ type: 'exec' as const, argv: ctx.kube.kubectl('apply', '-f', 'manifests/app/') }] }];
    await expect(executeSteps(ctx, steps)).rejects.toBeInstanceOf(GuardError);
    expect(fake.calls().filter((c) => c.argv.includes('apply'))).toEqual([]);
  });
});
