// Lab 00 (doctor): each check fails on a recorded "before" machine and passes on an "after" one, and doctor never mutates.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fakeEnv, repoRoot, type FakeEnv, type Scenario, silentUi } from '../helpers/fake-env.ts';
import { createLabContext, type ContextOptions } from '../../scripts/engine/context.ts';
import { defaultConfig, type LabConfig } from '../../scripts/lib/config.ts';
import { STATE_SCHEMA } from '../../scripts/lib/state.ts';
import { planArgv } from '../../scripts/engine/plan.ts';
import { runLab } from '../../scripts/engine/runner.ts';
import { quoteArgv } from '../../scripts/lib/quote.ts';
import { cachedBinaryPath } from '../../scripts/tools/download.ts';
import { tools as toolSpecs } from '../../scripts/tools/versions.ts';
import { findLab } from '../../labs/registry.ts';
import type { CheckOutcome } from '../../checks/types.ts';
import * as lab00 from '../../labs/00-doctor/lab.ts';
import { doctorCheckIds, doctorChecks, type DoctorDeps } from '../../labs/00-doctor/checks.ts';
import { budget, formatGiB, GiB } from '../../labs/00-doctor/budget.ts';
import { exempts, uncoveredHosts } from '../../labs/00-doctor/proxy.ts';
import { classifyDockerError } from '../../labs/00-doctor/docker.ts';
import { platformFinding } from '../../labs/00-doctor/platform.ts';
import { probeBind } from '../../labs/00-doctor/ports.ts';
import { defaultStatfs } from '../../labs/00-doctor/disk.ts';

// The recorded states are `docker version/info --format '{{json .}}'` outputs. before.json is what the docker 28.2.2
// CLI printed on a machine with no daemon (version: "Server":null and exit 1; info: exit 0 with empty server fields
// and the error on stderr). The running-daemon states follow docker/cli's versionInfo/clientVersion structs
// (cli/command/system/version.go: Server.Platform.Name, Server.Version, Server.Components incl. rootlesskit) and
// moby's system.Info as rendered by cli/command/system/info.go (MemTotal bytes, NCPU, DockerRootDir,
// OperatingSystem "Docker Desktop", SecurityOptions "name=rootless", ServerErrors).
const fixtures = join(repoRoot, 'tests', 'fixtures', 'states', '00-doctor');
const readme = readFileSync(join(repoRoot, 'labs', '00-doctor', 'README.md'), 'utf8');

function state(name: string): Scenario {
  return JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8')) as Scenario;
}

/** A Docker Engine scenario whose docker info reports `patch` on top of after.json's. */
function withInfo(name: string, patch: Record<string, unknown>): Scenario {
  const s = state(name);
  const rule = s.rules!.find((r) => r.tool === 'docker' && r.args?.[0] === 'info')!;
  rule.stdout = { ...(rule.stdout as object), ...patch };
  return s;
}

const plenty = async () => ({ bavail: 100 * 256 * 1024, bsize: 4096 }); // 100 GiB
const freeGiB = (gib: number) => async () => ({ bavail: Math.round(gib * 256 * 1024), bsize: 4096 });

interface Case {
  scenario: Scenario;
  env?: NodeJS.ProcessEnv;
  config?: Partial<LabConfig>;
  deps?: Partial<DoctorDeps>;
  tools?: ContextOptions['tools'];
  /** The lab's state file records this cluster name. */
  recordedCluster?: string;
}

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  while (cleanups.length) await cleanups.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'e2m-doctor-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fake /proc with the given inotify limits and kernel version line. */
function procWith(watches: number, instances: number, version = 'Linux version 6.8.0-60-generic (buildd@lcy02-amd64-098) #63-Ubuntu SMP'): string {
  const root = tempDir();
  mkdirSync(join(root, 'sys', 'fs', 'inotify'), { recursive: true });
  writeFileSync(join(root, 'sys', 'fs', 'inotify', 'max_user_watches'), `${watches}\n`);
  writeFileSync(join(root, 'sys', 'fs', 'inotify', 'max_user_instances'), `${instances}\n`);
  writeFileSync(join(root, 'version'), `${version}\n`);
  return root;
}

async function listener(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function setup(c: Case) {
  const fake: FakeEnv = fakeEnv(c.scenario, { LAB_PROC_ROOT: procWith(1_048_576, 8192), ...c.env });
  cleanups.push(() => fake.cleanup());
  // The exec seam spawns with process.env (createLabContext does not pass ctx.env to children),
  // so the fakes and their scenario must be reachable from there too.
  for (const key of ['PATH', 'FAKE_SCENARIO', 'FAKE_LOG'] as const) vi.stubEnv(key, fake.env[key]!);
  for (const key of Object.keys(c.env ?? {})) if (c.env![key] === undefined) delete fake.env[key];
  if (c.recordedCluster) {
    mkdirSync(fake.env.LAB_HOME!, { recursive: true });
    writeFileSync(
      join(fake.env.LAB_HOME!, 'state.json'),
      JSON.stringify({
        schema: STATE_SCHEMA,
        cluster: { name: c.recordedCluster, id: 'c0ffee42', createdAt: '2026-08-20T08:00:00.000Z', config: { ...defaultConfig, clusterName: c.recordedCluster } },
        labs: {},
      }),
    );
  }
  const ctx = createLabContext({
    env: fake.env,
    ui: silentUi(),
    config: { ...defaultConfig, ...c.config },
    ...(c.tools ? { tools: c.tools } : {}),
  });
  const checks = doctorChecks({ os: 'linux', arch: 'x64', statfs: plenty, projectDir: fake.dir, ...c.deps });
  return { fake, ctx, checks };
}

async function runCheck(id: string, c: Case): Promise<CheckOutcome> {
  const { ctx, checks } = setup(c);
  const check = checks.find((x) => x.id === id);
  if (!check) throw new Error(`no check ${id}`);
  return check.run(ctx);
}

/** Proxy variables of the machine running the tests must not leak into proxy cases. */
const noProxyVars: NodeJS.ProcessEnv = Object.fromEntries(
  ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'].map((k) => [k, undefined]),
);

interface Row {
  id: (typeof doctorCheckIds)[number];
  before: () => Promise<Case> | Case;
  /** The failure message the before state must produce. */
  fails: RegExp;
  after: () => Promise<Case> | Case;
  /** The pass note the after state must produce (exact values). */
  passes: RegExp;
}

const table: Row[] = [
  {
    id: 'doctor.platform',
    before: () => ({ scenario: state('after'), deps: { os: 'win32', arch: 'x64' } }),
    fails: /^Windows is not supported directly: run the lab inside WSL2 \(wsl --install -d Ubuntu\)/,
    after: () => ({ scenario: state('after') }),
    passes: /^Linux on x86-64$/,
  },
  {
    id: 'doctor.tools',
    before: () => ({ scenario: state('after'), env: { PATH: tempDir() } }),
    fails: /^kind v0\.31\.0, kubectl v1\.35\.0, helm v3\.19\.5 and linkerd edge-26\.6\.3 are not installed: run npx lab tools install \(needs network\) or pre-seed the cache at .*\/tools$/,
    after: () => ({ scenario: state('after') }),
    passes: /^kind v0\.31\.0 \(PATH\), kubectl v1\.35\.0 \(PATH\), helm v3\.19\.5 \(PATH\), linkerd edge-26\.6\.3 \(PATH\)$/,
  },
  {
    id: 'doctor.proxy',
    before: () => ({ scenario: state('after'), env: { ...noProxyVars, HTTPS_PROXY: 'http://proxy.corp.example:3128', NO_PROXY: '127.0.0.1,.corp.example' } }),
    fails: /^HTTPS_PROXY is set but NO_PROXY does not cover localhost and app\.localhost, .*export NO_PROXY="\$NO_PROXY,localhost,127\.0\.0\.1,\.localhost"/,
    after: () => ({
      scenario: state('after'),
      env: { ...noProxyVars, HTTPS_PROXY: 'http://proxy.corp.example:3128', NO_PROXY: '.corp.example,localhost,127.0.0.1,.localhost' },
    }),
    passes: /^HTTPS_PROXY set; NO_PROXY covers localhost, 127\.0\.0\.1 and app\.localhost$/,
  },
  {
    id: 'doctor.docker-running',
    before: () => ({ scenario: state('before') }),
    fails: /^Docker is not running \(Cannot connect to the Docker daemon at unix:\/\/\/var\/run\/docker\.sock\. Is the docker daemon running\?\)\. Start it: sudo systemctl start docker/,
    after: () => ({ scenario: state('after') }),
    passes: /^Docker Engine 28\.2\.2$/,
  },
  {
    id: 'doctor.docker-resources',
    before: () => ({ scenario: state('small') }),
    fails: /^Docker has 3\.8 GiB of memory; the lab needs at least 6 GiB\. Docker Engine uses this machine's own memory and CPUs/,
    after: () => ({ scenario: state('after') }),
    passes: /^15\.5 GiB of memory and 8 CPUs$/,
  },
  {
    id: 'doctor.docker-headroom',
    before: () => ({ scenario: state('tight'), deps: { os: 'darwin', arch: 'arm64' } }),
    fails: /^Docker has 7\.0 GiB of memory and 4 CPUs; comfortable is 8 GiB: the lab runs, .*Docker Desktop → Settings → Resources → Advanced: set Memory to 8 GB/,
    after: () => ({ scenario: state('desktop'), deps: { os: 'darwin', arch: 'arm64' } }),
    passes: /^7\.6 GiB of memory and 6 CPUs$/,
  },
  {
    id: 'doctor.disk',
    before: () => ({ scenario: state('after'), deps: { statfs: freeGiB(5) } }),
    fails: /^only 5\.0 GiB free on Docker's data root \/var\/lib\/docker; the lab needs 10 GiB .*docker image prune -a/,
    after: () => ({ scenario: state('after'), deps: { statfs: freeGiB(64) } }),
    passes: /^64\.0 GiB free on Docker's data root \/var\/lib\/docker$/,
  },
  {
    id: 'doctor.disk-headroom',
    before: () => ({ scenario: state('after'), deps: { statfs: freeGiB(15) } }),
    fails: /^15\.0 GiB free on Docker's data root \/var\/lib\/docker; comfortable is 20 GiB/,
    after: () => ({ scenario: state('after'), deps: { statfs: freeGiB(25) } }),
    passes: /^25\.0 GiB free on Docker's data root \/var\/lib\/docker$/,
  },
  {
    id: 'doctor.inotify',
    before: () => ({ scenario: state('after'), env: { LAB_PROC_ROOT: procWith(8192, 128) } }),
    fails: /^fs\.inotify\.max_user_watches is 8192 \(kind needs 524288\); fs\.inotify\.max_user_instances is 128 \(kind needs 512\): .*sudo sysctl -w fs\.inotify\.max_user_watches=524288 fs\.inotify\.max_user_instances=512/,
    after: () => ({ scenario: state('after'), env: { LAB_PROC_ROOT: procWith(524288, 512) } }),
    passes: /^max_user_watches 524288, max_user_instances 512$/,
  },
  {
    id: 'doctor.ports',
    before: async () => {
      const busy = await listener();
      return { scenario: state('after'), config: { httpPort: busy, httpsPort: await freePort() } };
    },
    fails: /^port \d+ on 127\.0\.0\.1 is in use by another program \(find it with sudo ss -ltnp 'sport = :\d+' or sudo lsof -nP -iTCP:\d+ -sTCP:LISTEN\)\. Stop that program, or give the lab other ports: LAB_HTTP_PORT=8080 LAB_HTTPS_PORT=8443 npx lab run 01$/,
    after: async () => ({ scenario: state('after'), config: { httpPort: await freePort(), httpsPort: await freePort() } }),
    passes: /^127\.0\.0\.1:\d+ and 127\.0\.0\.1:\d+ are free$/,
  },
  {
    id: 'doctor.existing-cluster',
    before: () => ({ scenario: state('stray') }),
    fails: /^a kind cluster named edge-to-mesh exists but this checkout did not make it \(.*state\.json does not record it\): delete it with kind delete cluster --name edge-to-mesh if it is a leftover, or keep it and give the lab another name with LAB_CLUSTER_NAME=edge-to-mesh-2$/,
    after: () => ({ scenario: state('stray'), recordedCluster: 'edge-to-mesh' }),
    passes: /^the lab's cluster edge-to-mesh exists \(created 2026-08-20T08:00:00\.000Z\)$/,
  },
];

describe('doctor checks: before fails, after passes', () => {
  it('the table and the module cover every check id, in the order they run', () => {
    expect(lab00.checks.map((c) => c.id)).toEqual([...doctorCheckIds]);
    expect(table.map((r) => r.id).sort()).toEqual([...doctorCheckIds].sort());
    expect(lab00.steps).toEqual([]);
  });

  for (const row of table) {
    it(`${row.id} fails on the before state`, async () => {
      const outcome = await runCheck(row.id, await row.before());
      expect(outcome.status).toBe('fail');
      expect(outcome.status === 'fail' && outcome.message).toMatch(row.fails);
    });
    it(`${row.id} passes on the after state`, async () => {
      const outcome = await runCheck(row.id, await row.after());
      expect(outcome).toEqual({ status: 'pass', note: expect.stringMatching(row.passes) });
    });
  }
});

describe('check metadata', () => {
  const checks = doctorChecks();
  it('ids, lab, level and flags', () => {
    for (const c of checks) {
      expect(c.id).toMatch(/^doctor\.[a-z-]+$/);
      expect(c.lab).toBe('00');
      expect(c.level).toBe('config');
    }
    expect(checks.filter((c) => c.fatal).map((c) => c.id)).toEqual(['doctor.docker-running']);
    expect(checks.filter((c) => c.warning).map((c) => c.id)).toEqual([
      'doctor.tools',
      'doctor.proxy',
      'doctor.docker-headroom',
      'doctor.disk-headroom',
      'doctor.existing-cluster',
    ]);
  });

  it('the fatal Docker check runs before every check that reads docker info', () => {
    const ids = checks.map((c) => c.id);
    const fatal = ids.indexOf('doctor.docker-running');
    for (const id of ['doctor.docker-resources', 'doctor.docker-headroom', 'doctor.disk', 'doctor.disk-headroom', 'doctor.inotify', 'doctor.ports', 'doctor.existing-cluster']) {
      expect(ids.indexOf(id)).toBeGreaterThan(fatal);
    }
  });

  it("every hint is an explicit anchor in the lab's README, right before a heading or paragraph", () => {
    for (const c of checks) {
      const tag = `<a id="${c.hint}"></a>`;
      expect(readme, `${c.id} → #${c.hint}`).toContain(tag);
      const after = readme.slice(readme.indexOf(tag) + tag.length).trimStart();
      expect(after.length).toBeGreaterThan(0);
      expect(after.startsWith('<a ')).toBe(false);
    }
  });

  it('the README table lists every check id', () => {
    for (const id of doctorCheckIds) expect(readme).toContain(`| \`${id}\` |`);
  });
});

describe('doctor.docker-running', () => {
  it("fails with the fake's default (no daemon) and names the per-OS fix", async () => {
    const linux = await runCheck('doctor.docker-running', { scenario: {} });
    expect(linux).toMatchObject({ status: 'fail', message: expect.stringMatching(/^Docker is not running \(Cannot connect to the Docker daemon/) });
    const mac = await runCheck('doctor.docker-running', { scenario: {}, deps: { os: 'darwin', arch: 'arm64' } });
    expect(mac.status === 'fail' && mac.message).toContain('Start Docker Desktop (open -a Docker)');
    expect(mac.status === 'fail' && mac.message).toContain('podman machine start and export KIND_EXPERIMENTAL_PROVIDER=podman');
  });

  it('says Docker is not running when the docker command is missing, and how to install it', async () => {
    const outcome = await runCheck('doctor.docker-running', { scenario: {}, tools: { docker: '/nonexistent/bin/docker' } });
    expect(outcome).toEqual({
      status: 'fail',
      message: expect.stringMatching(/^Docker is not running \(the docker command is not installed\)\. Install Docker Engine \(https:\/\/docs\.docker\.com\/engine\/install\/\)/),
    });
  });

  it('tells a permission problem apart from a stopped daemon', async () => {
    const outcome = await runCheck('doctor.docker-running', { scenario: state('permission') });
    expect(outcome.status === 'fail' && outcome.message).toMatch(/^Docker is running but this user may not use it \(permission denied while trying to connect/);
    expect(outcome.status === 'fail' && outcome.message).toContain('sudo usermod -aG docker $USER');
  });

  it('names Docker Desktop and rootless Docker in the pass note', async () => {
    expect(await runCheck('doctor.docker-running', { scenario: state('desktop') })).toEqual({ status: 'pass', note: 'Docker Desktop 4.43.2 (199162) (engine 28.3.2)' });
    expect(await runCheck('doctor.docker-running', { scenario: state('rootless') })).toEqual({ status: 'pass', note: 'Docker Engine 28.2.2, rootless' });
  });

  it('skips every Docker check when kind uses Podman, without calling docker', async () => {
    const { ctx, checks, fake } = setup({ scenario: state('after'), env: { KIND_EXPERIMENTAL_PROVIDER: 'podman' } });
    for (const id of ['doctor.docker-running', 'doctor.docker-resources', 'doctor.docker-headroom']) {
      expect((await checks.find((c) => c.id === id)!.run(ctx)).status).toBe('skip');
    }
    expect(fake.calls().filter((c) => c.tool === 'docker')).toEqual([]);
  });

  it('classifies the CLI error text', () => {
    expect(classifyDockerError('Cannot connect to the Docker daemon at unix:///Users/ada/.docker/run/docker.sock. Is the docker daemon running?')).toBe('down');
    expect(classifyDockerError('permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock')).toBe('permission');
    expect(classifyDockerError('context "colima" does not exist')).toBe('unknown');
  });
});

describe('doctor.docker-resources and doctor.docker-headroom', () => {
  it('skip while Docker is down, pointing at docker-running', async () => {
    const outcome = await runCheck('doctor.docker-resources', { scenario: state('before') });
    expect(outcome).toEqual({ status: 'skip', reason: expect.stringMatching(/^Docker is not reachable \(Cannot connect to the Docker daemon.*\); see doctor\.docker-running$/) });
  });

  it('fails on too few CPUs even with enough memory', async () => {
    const outcome = await runCheck('doctor.docker-resources', { scenario: withInfo('after', { NCPU: 1 }) });
    expect(outcome.status === 'fail' && outcome.message).toMatch(/^Docker has 1 CPU; the lab needs at least 2\./);
  });

  it('headroom skips below the minimum (one finding, not two) and warns on CPUs alone', async () => {
    expect((await runCheck('doctor.docker-headroom', { scenario: state('small') })).status).toBe('skip');
    const cpus = await runCheck('doctor.docker-headroom', { scenario: withInfo('after', { NCPU: 2 }) });
    expect(cpus.status === 'fail' && cpus.message).toMatch(/^Docker has 15\.5 GiB of memory and 2 CPUs; comfortable is 4 CPUs:/);
  });

  it('tells colima users the colima command', async () => {
    const outcome = await runCheck('doctor.docker-resources', { scenario: withInfo('small', { Name: 'colima' }), deps: { os: 'darwin', arch: 'arm64' } });
    expect(outcome.status === 'fail' && outcome.message).toContain('colima stop && colima start --memory 8 --cpu 4');
  });

  it('asks docker info once per doctor run', async () => {
    const { ctx, checks, fake } = setup({ scenario: state('after') });
    for (const id of ['doctor.docker-resources', 'doctor.docker-headroom', 'doctor.disk', 'doctor.disk-headroom', 'doctor.inotify']) {
      await checks.find((c) => c.id === id)!.run(ctx);
    }
    expect(fake.calls().filter((c) => c.tool === 'docker' && c.argv[0] === 'info')).toHaveLength(1);
  });

  it('budget constants and formatting', () => {
    expect(budget).toEqual({ memoryRequiredGiB: 6, memoryComfortableGiB: 8, cpusRequired: 2, cpusComfortable: 4, diskRequiredGiB: 10, diskComfortableGiB: 20 });
    expect(formatGiB(7.99 * GiB)).toBe('7.9 GiB');
    expect(formatGiB(16663199744)).toBe('15.5 GiB');
  });
});

describe('doctor.disk', () => {
  it("measures Docker's data root with the real statfs when it is on this machine", async () => {
    const root = tempDir();
    const outcome = await runCheck('doctor.disk', { scenario: withInfo('after', { DockerRootDir: root }), deps: { statfs: defaultStatfs } });
    const text = outcome.status === 'pass' ? outcome.note : outcome.status === 'fail' ? outcome.message : outcome.reason;
    expect(text).toMatch(new RegExp(`^(only )?\\d+\\.\\d GiB free on Docker's data root ${root}`));
  });

  it('measures the project disk for Docker Desktop, and says where its own limit is when low', async () => {
    const ok = await runCheck('doctor.disk', { scenario: state('desktop') });
    expect(ok).toEqual({ status: 'pass', note: expect.stringMatching(/^100\.0 GiB free on the disk holding /) });
    const low = await runCheck('doctor.disk', { scenario: state('desktop'), deps: { statfs: freeGiB(3) } });
    expect(low.status === 'fail' && low.message).toContain('Settings → Resources → Advanced → Disk usage limit');
  });

  it('falls back to the project disk when the data root cannot be read, and works with Docker down', async () => {
    const calls: string[] = [];
    const statfs = async (path: string) => {
      calls.push(path);
      if (path === '/var/lib/docker') throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return { bavail: 50 * 256 * 1024, bsize: 4096 };
    };
    const { ctx, checks, fake } = setup({ scenario: state('after'), deps: { statfs } });
    expect(await checks.find((c) => c.id === 'doctor.disk')!.run(ctx)).toEqual({ status: 'pass', note: expect.stringMatching(/^50\.0 GiB free on the disk holding /) });
    expect(calls).toEqual(['/var/lib/docker', fake.dir]);
    const down = await runCheck('doctor.disk', { scenario: state('before') });
    expect(down.status).toBe('pass');
  });

  it('headroom skips when the minimum already fails', async () => {
    expect((await runCheck('doctor.disk-headroom', { scenario: state('after'), deps: { statfs: freeGiB(5) } })).status).toBe('skip');
  });
});

describe('doctor.ports', () => {
  it('passes with a note when the ports are busy because the lab cluster exists', async () => {
    const busy = await listener();
    const outcome = await runCheck('doctor.ports', { scenario: state('stray'), config: { httpPort: busy, httpsPort: await freePort() } });
    expect(outcome).toEqual({ status: 'pass', note: `port ${busy} is taken, as expected: the lab's cluster edge-to-mesh already exists` });
  });

  it('EACCES with rootful Docker passes (the daemon binds), with rootless Docker fails with the sysctl and other ports', async () => {
    const denied = async (_host: string, port: number) => (port < 1024 ? 'EACCES' : 'free');
    const rootful = await runCheck('doctor.ports', { scenario: state('after'), deps: { bind: denied } });
    expect(rootful).toEqual({ status: 'pass', note: 'ports 80 and 443 are below 1024: this shell may not bind them, but the Docker daemon does, so that is fine' });
    const rootless = await runCheck('doctor.ports', { scenario: state('rootless'), deps: { bind: denied } });
    expect(rootless).toEqual({
      status: 'fail',
      message:
        'ports 80 and 443 are privileged (below 1024) and rootless Docker cannot bind them (allow it with sudo sysctl -w net.ipv4.ip_unprivileged_port_start=80). ' +
        'Or give the lab other ports: LAB_HTTP_PORT=8080 LAB_HTTPS_PORT=8443 npx lab run 01',
    });
  });

  it('names an address that is not on this machine', async () => {
    const outcome = await runCheck('doctor.ports', { scenario: state('after'), config: { listenAddress: '192.0.2.1', httpPort: await freePort(), httpsPort: await freePort() } });
    expect(outcome.status === 'fail' && outcome.message).toMatch(/^192\.0\.2\.1 is not an address of this machine \(unset LAB_LISTEN_ADDRESS/);
  });

  it('macOS gets lsof only; moved ports get other alternatives', async () => {
    const busy = await listener();
    const outcome = await runCheck('doctor.ports', { scenario: state('after'), config: { httpPort: 8080, httpsPort: busy }, deps: { os: 'darwin', arch: 'arm64', bind: async (_h, p) => (p === busy ? 'EADDRINUSE' : 'free') } });
    expect(outcome.status === 'fail' && outcome.message).toBe(
      `port ${busy} on 127.0.0.1 is in use by another program (find it with sudo lsof -nP -iTCP:${busy} -sTCP:LISTEN). Stop that program, or give the lab other ports: LAB_HTTP_PORT=18080 LAB_HTTPS_PORT=8443 npx lab run 01`,
    );
  });

  it('probeBind releases the port it tried', async () => {
    const port = await freePort();
    expect(await probeBind('127.0.0.1', port)).toBe('free');
    expect(await probeBind('127.0.0.1', port)).toBe('free');
  });
});

describe('doctor.platform, doctor.inotify, doctor.proxy', () => {
  it('platform findings', () => {
    expect(platformFinding('darwin', 'arm64')).toEqual({ supported: true, note: expect.stringMatching(/^macOS on Apple silicon \(arm64\): every pinned image .* is multi-arch/) });
    expect(platformFinding('darwin', 'x64')).toEqual({ supported: true, note: 'macOS on x86-64' });
    expect(platformFinding('linux', 'arm64', true)).toEqual({ supported: true, note: 'Linux (WSL2) on arm64' });
    expect(platformFinding('freebsd', 'x64').supported).toBe(false);
    expect(platformFinding('linux', 'ia32')).toEqual({ supported: false, message: expect.stringContaining('the ia32 CPU is not supported') });
  });

  it('reports WSL2 from /proc/version', async () => {
    const outcome = await runCheck('doctor.platform', {
      scenario: state('after'),
      env: { LAB_PROC_ROOT: procWith(524288, 512, 'Linux version 6.6.87.2-microsoft-standard-WSL2 (root@439a258ad544) (gcc (GCC) 11.2.0)') },
    });
    expect(outcome).toEqual({ status: 'pass', note: 'Linux (WSL2) on x86-64' });
  });

  it('inotify is skipped off Linux and with Docker Desktop, and a missing /proc file is an error', async () => {
    expect((await runCheck('doctor.inotify', { scenario: state('after'), deps: { os: 'darwin', arch: 'arm64' } })).status).toBe('skip');
    expect(await runCheck('doctor.inotify', { scenario: state('desktop') })).toEqual({ status: 'skip', reason: expect.stringContaining('Docker Desktop') });
    await expect(runCheck('doctor.inotify', { scenario: state('after'), env: { LAB_PROC_ROOT: tempDir() } })).rejects.toThrow(/max_user_watches/);
  });

  it('only one low inotify value is named', async () => {
    const outcome = await runCheck('doctor.inotify', { scenario: state('after'), env: { LAB_PROC_ROOT: procWith(1_048_576, 128) } });
    expect(outcome.status === 'fail' && outcome.message).toMatch(/^fs\.inotify\.max_user_instances is 128 \(kind needs 512\): pods fail/);
  });

  it('no proxy passes; lower-case variables and CIDR entries count', async () => {
    expect(await runCheck('doctor.proxy', { scenario: state('after'), env: noProxyVars })).toEqual({ status: 'pass', note: 'no HTTP proxy is configured' });
    const lower = await runCheck('doctor.proxy', { scenario: state('after'), env: { ...noProxyVars, http_proxy: 'http://10.0.0.1:8080', no_proxy: 'localhost,127.0.0.0/8' } });
    // "localhost" covers app.localhost the way curl and Go match: a domain and its subdomains.
    expect(lower).toEqual({ status: 'pass', note: 'http_proxy set; NO_PROXY covers localhost, 127.0.0.1 and app.localhost' });
  });

  it('NO_PROXY matching', () => {
    expect(exempts('.localhost', 'app.localhost')).toBe(true);
    expect(exempts('*.localhost', 'app.localhost')).toBe(true);
    expect(exempts('localhost', 'app.localhost')).toBe(true);
    expect(exempts('localhost', 'notlocalhost')).toBe(false);
    expect(exempts('127.0.0.0/8', '127.0.0.1')).toBe(true);
    expect(exempts('10.96.0.0/12', '127.0.0.1')).toBe(false);
    expect(exempts('*', 'anything')).toBe(true);
    expect(uncoveredHosts({ NO_PROXY: 'example.com' }, ['localhost', '127.0.0.1'])).toEqual(['localhost', '127.0.0.1']);
  });
});

describe('doctor.tools and doctor.existing-cluster', () => {
  it('a pre-seeded cache counts, and a tool on PATH at another version is evidence', async () => {
    const emptyPath = tempDir();
    const otherKubectl = join(emptyPath, 'kubectl');
    writeFileSync(otherKubectl, '#!/bin/sh\necho \'{"clientVersion":{"gitVersion":"v1.30.2"}}\'\n');
    chmodSync(otherKubectl, 0o755);
    const { ctx, checks, fake } = setup({ scenario: state('after'), env: { PATH: emptyPath } });
    const cached = cachedBinaryPath(toolSpecs.kind, { os: 'linux', arch: 'amd64' }, fake.env);
    mkdirSync(dirname(cached), { recursive: true });
    writeFileSync(cached, '#!/bin/sh\necho kind v0.31.0\n');
    chmodSync(cached, 0o755);
    const outcome = await checks.find((c) => c.id === 'doctor.tools')!.run(ctx);
    expect(outcome).toEqual({
      status: 'fail',
      message: expect.stringMatching(/^kubectl v1\.35\.0, helm v3\.19\.5 and linkerd edge-26\.6\.3 are not installed: /),
      evidence: expect.stringContaining(`kubectl: ${otherKubectl} reports v1.30.2; the lab needs kubectl v1.35.0`),
    });
  });

  it('skips tools on an unsupported platform', async () => {
    expect((await runCheck('doctor.tools', { scenario: state('after'), deps: { os: 'win32', arch: 'x64' } })).status).toBe('skip');
  });

  it('existing-cluster: none yet passes and names the others; kind missing or failing skips', async () => {
    const s = state('after');
    s.kindClusters = ['dev', 'kind'];
    expect(await runCheck('doctor.existing-cluster', { scenario: s })).toEqual({
      status: 'pass',
      note: 'no kind cluster named edge-to-mesh yet; lab 01 creates it (the lab leaves dev and kind alone)',
    });
    expect(await runCheck('doctor.existing-cluster', { scenario: state('after'), tools: { kind: '/nonexistent/bin/kind' } })).toEqual({
      status: 'skip',
      reason: 'kind is not installed yet (see doctor.tools), so existing clusters cannot be listed',
    });
    expect(await runCheck('doctor.existing-cluster', { scenario: state('before') })).toEqual({
      status: 'skip',
      reason: expect.stringMatching(/^kind could not list clusters: ERROR: failed to list clusters/),
    });
  });

  it('honours LAB_CLUSTER_NAME through the config', async () => {
    const outcome = await runCheck('doctor.existing-cluster', { scenario: state('stray'), config: { clusterName: 'edge-to-mesh-2' } });
    expect(outcome).toEqual({ status: 'pass', note: 'no kind cluster named edge-to-mesh-2 yet; lab 01 creates it (the lab leaves edge-to-mesh alone)' });
  });
});

describe('doctor changes nothing', () => {
  const READ_ONLY = new Set([
    'docker version --format {{json .}}',
    'docker info --format {{json .}}',
    'kind get clusters',
    'kind version',
    'kubectl version --client -o json',
    'helm version --short',
    'linkerd version --client --short',
  ]);

  it('all checks together make only read-only calls and write no state', async () => {
    const busy = await listener();
    for (const name of ['before', 'after', 'stray', 'desktop']) {
      const { ctx, checks, fake } = setup({ scenario: state(name), config: { httpPort: busy, httpsPort: await freePort() } });
      for (const check of checks) await check.run(ctx).catch(() => undefined);
      const calls = fake.calls();
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) expect(READ_ONLY, `${name}: ${call.tool} ${call.argv.join(' ')}`).toContain(`${call.tool} ${call.argv.join(' ')}`);
      expect(existsSync(join(fake.env.LAB_HOME!, 'state.json'))).toBe(false);
      expect(fake.scenario().kindClusters).toEqual(state(name).kindClusters);
    }
  });

  it('plan: no commands (golden), and nothing that would need the kubeconfig', () => {
    const { ctx } = setup({ scenario: {} });
    const argv = planArgv(ctx, lab00, 'run');
    for (const a of argv.filter((x) => ['kubectl', 'helm', 'linkerd'].includes(x[0]!))) {
      expect(a).toContain('--kubeconfig');
      expect(a.some((x) => x === '--context' || x === '--kube-context')).toBe(true);
    }
    const text = argv.map((a) => quoteArgv(a)).join('\n') + (argv.length ? '\n' : '');
    const golden = join(repoRoot, 'tests', 'labs', 'golden', 'plan-00-00.txt');
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) writeFileSync(golden, text);
    expect(readFileSync(golden, 'utf8')).toBe(text);
    expect(text).toBe('');
  });

  it('runLab twice makes no calls at all', async () => {
    const { ctx, fake } = setup({
      scenario: {
        persist: true,
        kindClusters: ['edge-to-mesh'],
        objects: [
          {
            apiVersion: 'v1',
            kind: 'Node',
            metadata: { name: 'edge-to-mesh-control-plane', labels: { 'kubernetes.io/hostname': 'edge-to-mesh-control-plane' } },
            spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'], providerID: 'kind://docker/edge-to-mesh/edge-to-mesh-control-plane' },
            status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] },
          },
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'edge-to-mesh-lab', namespace: 'kube-system', labels: { 'app.kubernetes.io/managed-by': 'edge-to-mesh' } },
            data: { clusterName: 'edge-to-mesh', clusterId: 'c0ffee42', createdAt: '2026-08-20T08:00:00.000Z' },
          },
        ],
      },
      recordedCluster: 'edge-to-mesh',
    });
    const lab = findLab('00');
    const first = await runLab(ctx, lab, lab00, 'run');
    const second = await runLab(ctx, lab, lab00, 'run');
    expect(first).toEqual({ ran: [], skipped: [] });
    expect(second).toEqual({ ran: [], skipped: [] });
    expect(fake.calls()).toEqual([]);
    const saved = JSON.parse(readFileSync(join(fake.env.LAB_HOME!, 'state.json'), 'utf8'));
    expect(saved.labs['00'].completedAt).toEqual(expect.any(String));
    expect(saved.cluster.id).toBe('c0ffee42');
  });
});
