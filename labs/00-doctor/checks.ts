// Lab 00's checks: is this machine ready for a kind cluster with Linkerd and Emissary? Read-only; no cluster needed.
import { fail, pass, skip, type Check } from '../../checks/types.ts';
import { displayPath, projectRoot, toolCacheDir } from '../../scripts/lib/paths.ts';
import { readState } from '../../scripts/lib/state.ts';
import { toolStatus } from '../../scripts/tools/resolve.ts';
import type { Platform } from '../../scripts/tools/versions.ts';
import type { LabContext } from '../../scripts/engine/types.ts';
import { budget, formatGiB, GiB, MEMTOTAL_SLACK } from './budget.ts';
import { defaultStatfs, measureFree, type DiskTarget, type Statfs } from './disk.ts';
import { dockerInfo, readDockerVersion, remoteDockerHost, usesPodman } from './docker.ts';
import { dockerFix, findPortOwner, hostOs, otherPorts, resizeDocker } from './fixes.ts';
import { inotifyMinimum, procRoot, readInotifyLimits, sysctlFix, type InotifyKey } from './inotify.ts';
import { listKindClusters } from './kind-clusters.ts';
import { isWsl, platformFinding } from './platform.ts';
import { probeBind, type BindResult } from './ports.ts';
import { labLocalHosts, proxyVarsSet, uncoveredHosts } from './proxy.ts';

/** What the checks read from the host besides ctx; tests replace these to play other machines. */
export interface DoctorDeps {
  /** process.platform */
  os: string;
  /** process.arch */
  arch: string;
  statfs: Statfs;
  /** The disk measured when Docker's data root is not on this machine. */
  projectDir: string;
  /** Tries to bind host:port; tests play EACCES, which a root test runner cannot meet for real. */
  bind: (host: string, port: number) => Promise<BindResult>;
}

/** Every doctor check id, in the order they run. */
export const doctorCheckIds = [
  'doctor.platform',
  'doctor.tools',
  'doctor.proxy',
  'doctor.docker-running',
  'doctor.docker-resources',
  'doctor.docker-headroom',
  'doctor.disk',
  'doctor.disk-headroom',
  'doctor.inotify',
  'doctor.ports',
  'doctor.existing-cluster',
] as const;

const LAB = '00';
const PODMAN_SKIP = 'kind uses Podman here (KIND_EXPERIMENTAL_PROVIDER=podman) and doctor reads Docker only; the lab text says what to check by hand';

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function toolPlatform(os: string, arch: string): Platform | undefined {
  const o = os === 'linux' || os === 'darwin' ? os : undefined;
  const a = arch === 'x64' ? 'amd64' : arch === 'arm64' ? 'arm64' : undefined;
  return o && a ? { os: o, arch: a } : undefined;
}

async function dockerUnreachable(ctx: LabContext): Promise<string | undefined> {
  if (usesPodman(ctx.env)) return PODMAN_SKIP;
  const info = await dockerInfo(ctx);
  return info.reachable ? undefined : `Docker is not reachable (${info.detail}); see doctor.docker-running`;
}

export function doctorChecks(overrides: Partial<DoctorDeps> = {}): Check[] {
  const deps: DoctorDeps = { os: process.platform, arch: process.arch, statfs: defaultStatfs, projectDir: projectRoot, bind: probeBind, ...overrides };
  const os = hostOs(deps.os);

  const measureDisk = async (ctx: LabContext) => {
    const candidates: DiskTarget[] = [];
    let desktop = false;
    if (!remoteDockerHost(ctx.env) && !usesPodman(ctx.env)) {
      const info = await dockerInfo(ctx);
      desktop = info.reachable && info.desktop;
      if (info.reachable && !info.desktop && info.dockerRootDir) candidates.push({ path: info.dockerRootDir, what: `Docker's data root ${info.dockerRootDir}` });
    }
    candidates.push({ path: deps.projectDir, what: `the disk holding ${displayPath(deps.projectDir)}` });
    return { ...(await measureFree(deps.statfs, candidates)), desktop };
  };
  const diskFix = (desktop: boolean) =>
    'free some: docker system df shows what Docker holds, docker image prune -a removes images no container uses' +
    (desktop ? "; Docker Desktop's own limit is under Settings → Resources → Advanced → Disk usage limit" : '');

  const platform: Check = {
    id: 'doctor.platform',
    title: 'this OS and CPU are supported',
    lab: LAB,
    level: 'config',
    hint: 'platform',
    async run(ctx) {
      const finding = platformFinding(deps.os, deps.arch, deps.os === 'linux' && isWsl(procRoot(ctx.env)));
      return finding.supported ? pass(finding.note) : fail(finding.message);
    },
  };

  const tools: Check = {
    id: 'doctor.tools',
    title: 'the pinned kind, kubectl, helm and linkerd are available',
    lab: LAB,
    level: 'config',
    hint: 'tools',
    warning: true,
    async run(ctx) {
      const platform = toolPlatform(deps.os, deps.arch);
      if (!platform) return skip('this platform has no pinned tools; see doctor.platform');
      const statuses = await toolStatus({ env: ctx.env, exec: ctx.exec, platform });
      const missing = statuses.filter((s) => s.source === 'missing');
      if (missing.length > 0) {
        const names = list(missing.map((s) => `${s.name} ${s.version}`));
        const notes = missing.flatMap((s) => (s.note ? [`${s.name}: ${s.note}`] : []));
        return fail(
          `${names} ${missing.length === 1 ? 'is' : 'are'} not installed: run npx lab tools install (needs network) ` +
            `or pre-seed the cache at ${toolCacheDir(ctx.env)}`,
          notes.length ? notes.join('\n') : undefined,
        );
      }
      return pass(statuses.map((s) => `${s.name} ${s.version} (${s.source === 'path' ? 'PATH' : s.source})`).join(', '));
    },
  };

  const proxy: Check = {
    id: 'doctor.proxy',
    title: "a configured HTTP proxy leaves the lab's local addresses alone",
    lab: LAB,
    level: 'config',
    hint: 'proxy',
    warning: true,
    async run(ctx) {
      const set = proxyVarsSet(ctx.env);
      if (set.length === 0) return pass('no HTTP proxy is configured');
      const missing = uncoveredHosts(ctx.env, labLocalHosts(ctx.config));
      if (missing.length === 0) return pass(`${set.join(', ')} set; NO_PROXY covers ${list(labLocalHosts(ctx.config))}`);
      return fail(
        `${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set but NO_PROXY does not cover ${list(missing)}, so curl and browsers ` +
          `would send the lab's local requests to the proxy: export NO_PROXY="$NO_PROXY,localhost,127.0.0.1,.localhost" no_proxy="$NO_PROXY,localhost,127.0.0.1,.localhost"`,
        `NO_PROXY=${ctx.env.NO_PROXY ?? ''}\nno_proxy=${ctx.env.no_proxy ?? ''}`,
      );
    },
  };

  const dockerRunning: Check = {
    id: 'doctor.docker-running',
    title: 'Docker is running and this user can use it',
    lab: LAB,
    level: 'config',
    hint: 'docker-running',
    fatal: true,
    async run(ctx) {
      if (usesPodman(ctx.env)) return skip(PODMAN_SKIP);
      const v = await readDockerVersion(ctx);
      if (v.running) {
        const what = v.desktop ? `${v.product} (engine ${v.version})` : `${v.product} ${v.version}`;
        return pass(`${what}${v.rootless ? ', rootless' : ''}`);
      }
      const fix = dockerFix(v.reason, os);
      if (v.reason === 'permission') return fail(`Docker is running but this user may not use it (${v.detail}). ${fix}`);
      return fail(`Docker is not running (${v.detail}). ${fix}`);
    },
  };

  const dockerResources: Check = {
    id: 'doctor.docker-resources',
    title: `Docker has the memory and CPUs the lab needs (${budget.memoryRequiredGiB} GiB, ${budget.cpusRequired} CPUs)`,
    lab: LAB,
    level: 'config',
    hint: 'docker-resources',
    async run(ctx) {
      const unreachable = await dockerUnreachable(ctx);
      if (unreachable) return skip(unreachable);
      const info = await dockerInfo(ctx);
      if (!info.reachable) return skip('Docker is not reachable');
      const short: string[] = [];
      if (info.memTotal < budget.memoryRequiredGiB * GiB * MEMTOTAL_SLACK) {
        short.push(`Docker has ${formatGiB(info.memTotal)} of memory; the lab needs at least ${budget.memoryRequiredGiB} GiB`);
      }
      if (info.ncpu < budget.cpusRequired) short.push(`Docker has ${info.ncpu} CPU; the lab needs at least ${budget.cpusRequired}`);
      if (short.length > 0) return fail(`${short.join('; ')}. ${resizeDocker(info, os)}`);
      return pass(`${formatGiB(info.memTotal)} of memory and ${info.ncpu} CPUs`);
    },
  };

  const dockerHeadroom: Check = {
    id: 'doctor.docker-headroom',
    title: `Docker has comfortable headroom (${budget.memoryComfortableGiB} GiB, ${budget.cpusComfortable} CPUs)`,
    lab: LAB,
    level: 'config',
    hint: 'docker-resources',
    warning: true,
    async run(ctx) {
      const unreachable = await dockerUnreachable(ctx);
      if (unreachable) return skip(unreachable);
      const info = await dockerInfo(ctx);
      if (!info.reachable) return skip('Docker is not reachable');
      if (info.memTotal < budget.memoryRequiredGiB * GiB * MEMTOTAL_SLACK || info.ncpu < budget.cpusRequired) {
        return skip('below the minimum; doctor.docker-resources says how to fix it');
      }
      const lowMemory = info.memTotal < budget.memoryComfortableGiB * GiB * MEMTOTAL_SLACK;
      const lowCpu = info.ncpu < budget.cpusComfortable;
      if (!lowMemory && !lowCpu) return pass(`${formatGiB(info.memTotal)} of memory and ${info.ncpu} CPUs`);
      const have = `Docker has ${formatGiB(info.memTotal)} of memory and ${info.ncpu} CPUs`;
      const want = [lowMemory ? `${budget.memoryComfortableGiB} GiB` : '', lowCpu ? `${budget.cpusComfortable} CPUs` : ''].filter(Boolean).join(' and ');
      return fail(`${have}; comfortable is ${want}: the lab runs, but image pulls and rollouts take longer. ${resizeDocker(info, os)}`);
    },
  };

  const disk: Check = {
    id: 'doctor.disk',
    title: `there is enough free disk for the images (${budget.diskRequiredGiB} GiB)`,
    lab: LAB,
    level: 'config',
    hint: 'disk',
    async run(ctx) {
      const { target, free, desktop } = await measureDisk(ctx);
      if (free >= budget.diskRequiredGiB * GiB) return pass(`${formatGiB(free)} free on ${target.what}`);
      return fail(`only ${formatGiB(free)} free on ${target.what}; the lab needs ${budget.diskRequiredGiB} GiB for the node image and the images it pulls: ${diskFix(desktop)}`);
    },
  };

  const diskHeadroom: Check = {
    id: 'doctor.disk-headroom',
    title: `there is comfortable free disk (${budget.diskComfortableGiB} GiB)`,
    lab: LAB,
    level: 'config',
    hint: 'disk',
    warning: true,
    async run(ctx) {
      const { target, free, desktop } = await measureDisk(ctx);
      if (free < budget.diskRequiredGiB * GiB) return skip('below the minimum; doctor.disk says how to fix it');
      if (free >= budget.diskComfortableGiB * GiB) return pass(`${formatGiB(free)} free on ${target.what}`);
      return fail(`${formatGiB(free)} free on ${target.what}; comfortable is ${budget.diskComfortableGiB} GiB, so a recreated cluster or a second image pull may fill it: ${diskFix(desktop)}`);
    },
  };

  const inotify: Check = {
    id: 'doctor.inotify',
    title: 'Linux inotify limits are high enough for kind',
    lab: LAB,
    level: 'config',
    hint: 'inotify',
    async run(ctx) {
      if (deps.os !== 'linux') return skip("not Linux: kind's node runs in the Linux VM of Docker Desktop, colima or Podman, and this host's limits do not apply");
      if (remoteDockerHost(ctx.env)) return skip(`DOCKER_HOST is ${remoteDockerHost(ctx.env)}: the limits that matter are that machine's`);
      if (!usesPodman(ctx.env)) {
        const info = await dockerInfo(ctx);
        if (info.reachable && info.desktop) return skip("Docker Desktop runs kind's node in its own VM; this host's limits do not apply");
      }
      const limits = await readInotifyLimits(procRoot(ctx.env));
      const low = (Object.keys(inotifyMinimum) as InotifyKey[]).filter((k) => limits[k] < inotifyMinimum[k]);
      if (low.length === 0) return pass(`max_user_watches ${limits.max_user_watches}, max_user_instances ${limits.max_user_instances}`);
      const seen = low.map((k) => `fs.inotify.${k} is ${limits[k]} (kind needs ${inotifyMinimum[k]})`);
      return fail(`${seen.join('; ')}: pods fail with "too many open files". ${sysctlFix()}`);
    },
  };

  const ports: Check = {
    id: 'doctor.ports',
    title: 'the ingress host ports are free',
    lab: LAB,
    level: 'config',
    hint: 'ports',
    async run(ctx) {
      const { listenAddress: host, httpPort, httpsPort, clusterName } = ctx.config;
      const remote = remoteDockerHost(ctx.env);
      if (remote) return skip(`DOCKER_HOST is ${remote}: kind binds the ports on that machine, not here`);
      const wanted = [...new Set([httpPort, httpsPort])];
      const results: Array<{ port: number; result: string }> = [];
      for (const port of wanted) results.push({ port, result: await deps.bind(host, port) });
      const blocked = results.filter((r) => r.result !== 'free');
      if (blocked.length === 0) return pass(`${list(wanted.map((p) => `${host}:${p}`))} ${wanted.length === 1 ? 'is' : 'are'} free`);

      const clusters = await listKindClusters(ctx);
      if (clusters.ok && clusters.names.includes(clusterName)) {
        const one = blocked.length === 1;
        return pass(`port${one ? '' : 's'} ${list(blocked.map((b) => String(b.port)))} ${one ? 'is' : 'are'} taken, as expected: the lab's cluster ${clusterName} already exists`);
      }
      const alternative = otherPorts(httpPort, httpsPort);
      const problems: string[] = [];
      const inUse = blocked.filter((b) => b.result === 'EADDRINUSE');
      for (const b of inUse) problems.push(`port ${b.port} on ${host} is in use by another program (find it with ${findPortOwner(b.port, os)})`);
      const denied = blocked.filter((b) => b.result === 'EACCES');
      let deniedNote: string | undefined;
      if (denied.length > 0) {
        const podman = usesPodman(ctx.env);
        const info = podman ? undefined : await dockerInfo(ctx);
        const rootless = podman ? process.getuid?.() !== 0 : !!(info?.reachable && info.rootless);
        const one = denied.length === 1;
        const which = `port${one ? '' : 's'} ${list(denied.map((b) => String(b.port)))}`;
        if (rootless) {
          const lowest = Math.min(...denied.map((b) => b.port));
          problems.push(
            `${which} ${one ? 'is' : 'are'} privileged (below 1024) and rootless ${podman ? 'Podman' : 'Docker'} cannot bind ${one ? 'it' : 'them'} ` +
              `(allow it with sudo sysctl -w net.ipv4.ip_unprivileged_port_start=${lowest})`,
          );
        } else {
          deniedNote = `${which} ${one ? 'is' : 'are'} below 1024: this shell may not bind ${one ? 'it' : 'them'}, but the Docker daemon does, so that is fine`;
        }
      }
      for (const b of blocked.filter((x) => x.result !== 'EADDRINUSE' && x.result !== 'EACCES')) {
        problems.push(
          b.result === 'EADDRNOTAVAIL'
            ? `${host} is not an address of this machine (unset LAB_LISTEN_ADDRESS to use 127.0.0.1)`
            : `cannot bind ${host}:${b.port} (${b.result})`,
        );
      }
      const way = inUse.length > 0 ? 'Stop that program, or give the lab other ports' : 'Or give the lab other ports';
      if (problems.length > 0) return fail(`${problems.join('; ')}. ${way}: ${alternative}`);
      return pass(deniedNote);
    },
  };

  const existingCluster: Check = {
    id: 'doctor.existing-cluster',
    title: "no stray kind cluster has the lab's name",
    lab: LAB,
    level: 'config',
    hint: 'existing-cluster',
    warning: true,
    async run(ctx) {
      const clusters = await listKindClusters(ctx);
      if (!clusters.ok) {
        return skip(clusters.missing ? 'kind is not installed yet (see doctor.tools), so existing clusters cannot be listed' : `kind could not list clusters: ${clusters.detail}`);
      }
      const name = ctx.config.clusterName;
      const others = clusters.names.filter((n) => n !== name);
      if (!clusters.names.includes(name)) {
        return pass(`no kind cluster named ${name} yet; lab 01 creates it${others.length ? ` (the lab leaves ${list(others)} alone)` : ''}`);
      }
      const recorded = readState(ctx.paths.state).cluster;
      if (recorded?.name === name) return pass(`the lab's cluster ${name} exists (created ${recorded.createdAt})`);
      return fail(
        `a kind cluster named ${name} exists but this checkout did not make it (${displayPath(ctx.paths.state)} does not record it): ` +
          `delete it with kind delete cluster --name ${name} if it is a leftover, or keep it and give the lab another name with LAB_CLUSTER_NAME=${name}-2`,
      );
    },
  };

  return [platform, tools, proxy, dockerRunning, dockerResources, dockerHeadroom, disk, diskHeadroom, inotify, ports, existingCluster];
}

export const checks: Check[] = doctorChecks();
