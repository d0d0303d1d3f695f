// `npx lab kubectl …` and friends run the pinned tool with the lab kubeconfig and context, passing the exit code through.
import { describe, it, expect, afterEach } from 'vitest';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { fakeEnv, type FakeEnv } from '../helpers/fake-env.ts';
import { lab } from '../helpers/cli.ts';
import { kindNode, marker, seedLabHome } from '../helpers/cluster.ts';

let fake: FakeEnv;
afterEach(() => fake?.cleanup());

describe('tool wrapper', () => {
  it('kubectl gets the lab kubeconfig and context in front of the user\'s arguments', async () => {
    fake = fakeEnv({ objects: [kindNode()] });
    seedLabHome(fake.env.LAB_HOME!);
    const r = await lab(['kubectl', 'get', 'nodes', '-o', 'json'], fake.env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).items[0].metadata.name).toBe('edge-to-mesh-control-plane');
    const kubeconfig = join(fake.env.LAB_HOME!, 'kubeconfig');
    expect(fake.calls().at(-1)).toEqual({ tool: 'kubectl', argv: ['--kubeconfig', kubeconfig, '--context', 'kind-edge-to-mesh', 'get', 'nodes', '-o', 'json'] });
  });

  it('helm uses --kube-context, and a failing tool\'s exit code comes back unchanged', async () => {
    fake = fakeEnv({ rules: [{ tool: 'helm', args: ['status', 'nope'], stderr: 'Error: release: not found', exit: 1 }] });
    const r = await lab(['helm', 'status', 'nope'], fake.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/release: not found/);
    expect(fake.calls().at(-1)!.argv.slice(2, 4)).toEqual(['--kube-context', 'kind-edge-to-mesh']);
  });

  it('kind writes to the lab kubeconfig, never ~/.kube/config', async () => {
    fake = fakeEnv({ kindClusters: ['edge-to-mesh'] });
    const home = join(fake.dir, 'home');
    const r = await lab(['kind', 'export', 'kubeconfig', '--name', 'edge-to-mesh'], { ...fake.env, HOME: home });
    expect(r.code).toBe(0);
    expect(readFileSync(join(fake.env.LAB_HOME!, 'kubeconfig'), 'utf8')).toMatch(/current-context: kind-edge-to-mesh/);
    expect(existsSync(join(home, '.kube', 'config'))).toBe(false);
  });
});

describe('waits', () => {
  it('a wait that runs out is exit 3, naming what was awaited and the last state seen', async () => {
    fake = fakeEnv({
      objects: [kindNode(), marker()],
      rules: [
        { tool: 'kubectl', args: ['wait', '--for=condition=Ready', 'node'], stderr: 'error: timed out waiting for the condition on nodes/edge-to-mesh-control-plane', exit: 1 },
        { tool: 'kubectl', args: ['get', 'nodes', '-o', 'wide'], stdout: 'NAME                         STATUS     ROLES           AGE   VERSION\nedge-to-mesh-control-plane   NotReady   control-plane   2m    v1.35.0' },
      ],
      persist: true,
    });
    const r = await lab(['run', '01', '--no-check'], fake.env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/ERROR: timed out after 2m waiting for node Ready/);
    expect(r.stderr).toMatch(/Last state seen:\n.*\n\s+edge-to-mesh-control-plane\s+NotReady/);
  });
});
