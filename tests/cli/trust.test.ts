// `lab trust` explains per OS and browser how to trust and remove the lab CA, and changes nothing itself.
import { describe, it, expect, afterEach } from 'vitest';
import { fakeEnv, type FakeEnv } from '../helpers/fake-env.ts';
import { lab } from '../helpers/cli.ts';

let fake: FakeEnv;
afterEach(() => fake?.cleanup());

describe('lab trust', () => {
  it('prints trust and removal steps for macOS, Debian, Fedora and Firefox without running any tool', async () => {
    fake = fakeEnv();
    const r = await lab(['trust'], fake.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/does not exist yet/);
    for (const os of ['macOS', 'Debian/Ubuntu', 'Fedora/RHEL', 'Firefox']) expect(r.stdout).toContain(os);
    expect(r.stdout.match(/^\s+remove:/gm)?.length).toBe(3);
    expect(r.stdout).toMatch(/security delete-certificate -c "edge-to-mesh lab CA"/);
    expect(fake.calls()).toEqual([]);
  });
});

describe('lab kubeconfig', () => {
  it('says the cluster must exist first', async () => {
    fake = fakeEnv();
    const r = await lab(['kubeconfig'], fake.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no lab kubeconfig .* yet/);
    expect(r.stderr).toMatch(/npx lab run 01/);
  });
});
