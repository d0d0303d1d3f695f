// The `lab` CLI as users meet it: version, help, bad input, status without a terminal, doctor here, guard.
import { describe, it, expect, afterEach } from 'vitest';
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeEnv, type FakeEnv } from '../helpers/fake-env.ts';
import { lab } from '../helpers/cli.ts';
import { kindNode, marker, seedLabHome } from '../helpers/cluster.ts';

let fake: FakeEnv;
afterEach(() => fake?.cleanup());

describe('lab CLI', () => {
  it('--version prints the package version', async () => {
    fake = fakeEnv();
    const r = await lab(['--version'], fake.env);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`edge-to-mesh ${pkg.version}\n`);
  });

  it('help lists every verb and the exit codes', async () => {
    fake = fakeEnv();
    const r = await lab(['help'], fake.env);
    expect(r.code).toBe(0);
    for (const verb of ['doctor', 'run', 'check', 'solve', 'goto', 'reset', 'plan', 'down', 'tools', 'probe', 'trust']) expect(r.stdout).toContain(`  ${verb}`);
    expect(r.stdout).toMatch(/3 timed out · 4 cluster guard refused · 130 interrupted/);
  });

  it('an unknown verb is exit 2 with the list', async () => {
    fake = fakeEnv();
    const r = await lab(['deploy'], fake.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown verb "deploy"/);
    expect(r.stderr).toMatch(/verbs: status, doctor, run/);
  });

  it('an unknown lab is exit 2 naming the valid ones', async () => {
    fake = fakeEnv();
    const r = await lab(['run', '42'], fake.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown lab "42"/);
    expect(r.stderr).toMatch(/01 \(cluster\), 02 \(linkerd\)/);
  });

  it('an unknown flag is exit 2 pointing at help', async () => {
    fake = fakeEnv();
    const r = await lab(['check', '01', '--colour'], fake.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--colour'/);
    expect(r.stderr).toMatch(/npx lab help check/);
  });

  it('without a terminal, `lab` prints status and the next command instead of a menu', async () => {
    fake = fakeEnv();
    const r = await lab([], fake.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/00 doctor\s+not started/);
    expect(r.stdout).toMatch(/Next: npx lab doctor/);
  });

  it('status suggests the next lab from the state file', async () => {
    fake = fakeEnv();
    seedLabHome(fake.env.LAB_HOME!, undefined, {
      '00': { steps: {}, completedAt: 'x', check: { at: 'x', passed: true, failed: [] } },
      '01': { steps: { create: 'x' }, completedAt: 'x', check: { at: 'x', passed: true, failed: [] } },
      '02': { steps: { certs: 'x' } },
    });
    const r = await lab(['status'], fake.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/01 cluster\s+done/);
    expect(r.stdout).toMatch(/02 linkerd\s+in progress/);
    expect(r.stdout).toMatch(/Next: npx lab run 02/);
  });

  it('a corrupt state file is exit 2 with a way out, and the file is left as it was', async () => {
    fake = fakeEnv();
    mkdirSync(fake.env.LAB_HOME!, { recursive: true });
    const path = join(fake.env.LAB_HOME!, 'state.json');
    writeFileSync(path, '{ not json');
    const r = await lab(['status'], fake.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not valid JSON/);
    expect(r.stderr).toMatch(/→ .*mv /);
    expect(readFileSync(path, 'utf8')).toBe('{ not json');
  });

  it('lab doctor exits 2 and says Docker is not running when there is no daemon', async () => {
    fake = fakeEnv();
    const r = await lab(['doctor'], fake.env);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/Docker is not running/);
  });

  it('refuses (exit 4) to change a cluster that is not the lab\'s, before any mutating call', async () => {
    fake = fakeEnv({ objects: [kindNode('edge-to-mesh', 'none'), marker()] });
    seedLabHome(fake.env.LAB_HOME!, undefined, { '01': { steps: { create: 'x' }, completedAt: 'x' } });
    const r = await lab(['run', '02'], fake.env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^REFUSED: node edge-to-mesh-control-plane has providerID/m);
    const mutating = fake.calls().filter((c) => ['apply', 'upgrade', 'install', 'create', 'delete'].some((v) => c.argv.includes(v)));
    expect(mutating).toEqual([]);
  });
});
