// Lab 01: checks fail on the recorded "before" cluster and pass on "after"; kind config, create/guard/recreate, down, plan golden.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fakeEnv, repoRoot, type FakeCall, type FakeEnv, type Scenario, silentUi } from '../helpers/fake-env.ts';
import { CLUSTER_ID, kindNode, marker, seedLabHome } from '../helpers/cluster.ts';
import { createLabContext } from '../../scripts/engine/context.ts';
import { executeSteps, runLab } from '../../scripts/engine/runner.ts';
import { planArgv } from '../../scripts/engine/plan.ts';
import { defaultConfig, type LabConfig } from '../../scripts/lib/config.ts';
import { readState } from '../../scripts/lib/state.ts';
import { quoteArgv } from '../../scripts/lib/quote.ts';
import { GuardError, UserError } from '../../scripts/lib/errors.ts';
import { runChecks } from '../../checks/runner.ts';
import type { Check, CheckResult } from '../../checks/types.ts';
import type { LabContext, LabModule } from '../../scripts/engine/types.ts';
import { findLab } from '../../labs/registry.ts';
import { kindNodeImage } from '../../labs/pins.ts';
import * as lab01 from '../../labs/01-cluster/lab.ts';
import * as lab02 from '../../labs/02-linkerd/lab.ts';
import { checks } from '../../labs/01-cluster/checks.ts';
import { renderKindConfig } from '../../labs/01-cluster/kind-config.ts';

const STATES = join(repoRoot, 'tests', 'fixtures', 'states', '01-cluster');
const GOLDEN = join(repoRoot, 'tests', 'labs', 'golden', 'plan-01-02.txt');
const loadState = (name: 'before' | 'after'): Scenario => JSON.parse(readFileSync(join(STATES, `${name}.json`), 'utf8')) as Scenario;

const envs: FakeEnv[] = [];
afterEach(() => {
  while (envs.length) envs.pop()!.cleanup();
});

function contextFor(scenario: Scenario, opts: { config?: LabConfig; flags?: LabContext['flags']; seed?: boolean } = {}): { fake: FakeEnv; ctx: LabContext } {
  const fake = fakeEnv(scenario);
  envs.push(fake);
  if (opts.seed ?? true) seedLabHome(fake.env.LAB_HOME!);
  const ctx = createLabContext({ env: fake.env, ui: silentUi(), config: opts.config ?? defaultConfig, flags: opts.flags ?? {} });
  return { fake, ctx };
}

async function runOne(check: Check, scenario: Scenario, config?: LabConfig): Promise<CheckResult> {
  const { ctx } = contextFor(scenario, config ? { config } : {});
  // One try: retry deadlines are the check runner's business.
  return (await runChecks([{ ...check, deadlineMs: 0 }], ctx)).results[0]!;
}

/** A real listener on a random loopback port (the "host port bound by the node container" stand-in). */
let servers: Server[] = [];
let openPorts: [number, number];
let closedPort: number;
function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer((sock) => sock.end());
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}
const portOf = (s: Server) => (s.address() as { port: number }).port;
beforeAll(async () => {
  servers = [await listen(), await listen()];
  openPorts = [portOf(servers[0]!), portOf(servers[1]!)];
  const tmp = await listen();
  closedPort = portOf(tmp);
  await new Promise((r) => tmp.close(r));
});
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
});

function dockerPorts(http: number, https: number) {
  return JSON.stringify({
    '30080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(http) }],
    '30443/tcp': [{ HostIp: '127.0.0.1', HostPort: String(https) }],
    '6443/tcp': [{ HostIp: '127.0.0.1', HostPort: '41235' }],
  });
}
function withDocker(scenario: Scenario, stdout: string): Scenario {
  const rules = (scenario.rules ?? []).filter((r) => r.tool !== 'docker');
  return { ...scenario, rules: [{ tool: 'docker', args: ['inspect', 'edge-to-mesh-control-plane'], stdout }, ...rules] };
}

/** What each check says on the recorded "before" state: `kind create cluster` with no config, still starting. */
const BEFORE: Record<string, string | RegExp> = {
  'cluster.api-readyz': /^the API server behind .*kubeconfig did not answer \/readyz with ok: Error from server \(InternalServerError\): an error on the server \("\[\+\]ping ok/,
  'cluster.node-ready':
    'node kind-control-plane is not Ready (Ready=False, KubeletNotReady: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized)',
  'cluster.provider-id': 'node kind-control-plane has providerID kind://docker/kind/kind-control-plane: it belongs to kind cluster "kind", not "edge-to-mesh"',
  'cluster.marker': 'the lab marker, ConfigMap edge-to-mesh-lab in namespace kube-system, does not exist',
  'cluster.coredns': 'deployment coredns has 0/2 available replicas',
  'cluster.port-mappings': 'Docker has no container edge-to-mesh-control-plane: the kind node does not exist',
  'cluster.host-ports': '', // needs the closed port: asserted in its own test below
};

describe('lab 01 checks on recorded states', () => {
  it('the table covers every check; ids carry the cluster. prefix and lab 01', () => {
    expect(Object.keys(BEFORE).sort()).toEqual(checks.map((c) => c.id).sort());
    for (const c of checks) {
      expect(c.id).toMatch(/^cluster\.[a-z-]+$/);
      expect(c.lab).toBe('01');
    }
    expect(checks.filter((c) => c.level === 'behaviour').map((c) => c.id).sort()).toEqual(['cluster.api-readyz', 'cluster.host-ports']);
  });

  for (const check of checks.filter((c) => c.id !== 'cluster.host-ports')) {
    it(`${check.id} fails before the lab with the expected message`, async () => {
      const r = await runOne(check, loadState('before'));
      expect(r.status).toBe('fail');
      const want = BEFORE[check.id]!;
      if (typeof want === 'string') expect(r.message).toBe(want);
      else expect(r.message).toMatch(want);
      expect(r.hint).toBe(`labs/01-cluster/README.md#${check.hint}`);
    });
    it(`${check.id} passes after the lab`, async () => {
      const r = await runOne(check, loadState('after'));
      expect(r.status, r.message).toBe('pass');
    });
  }

  it('cluster.marker fails when the marker names another checkout', async () => {
    const after = loadState('after');
    const objects = (after.objects ?? []).map((o) => ((o as { kind: string }).kind === 'ConfigMap' ? marker('00000000-0000-4000-8000-000000000000') : o));
    const r = await runOne(checks.find((c) => c.id === 'cluster.marker')!, { ...after, objects });
    expect(r.message).toMatch(new RegExp(`^the lab marker carries cluster id 00000000-0000-4000-8000-000000000000, but .*state\\.json records ${CLUSTER_ID}$`));
  });

  it('cluster.port-mappings fails when the node publishes other host ports (e.g. made for 8080/8443)', async () => {
    const r = await runOne(checks.find((c) => c.id === 'cluster.port-mappings')!, withDocker(loadState('after'), dockerPorts(8080, 8443)));
    expect(r.message).toBe(
      'node container edge-to-mesh-control-plane publishes port 30080/tcp on 127.0.0.1:8080, expected 127.0.0.1:80; ' +
        'node container edge-to-mesh-control-plane publishes port 30443/tcp on 127.0.0.1:8443, expected 127.0.0.1:443',
    );
  });

  describe('cluster.host-ports against real loopback sockets', () => {
    const hostPorts = () => checks.find((c) => c.id === 'cluster.host-ports')!;

    it('passes when both ports accept connections and docker says the node publishes them', async () => {
      const config = { ...defaultConfig, httpPort: openPorts[0], httpsPort: openPorts[1] };
      const r = await runOne(hostPorts(), withDocker(loadState('after'), dockerPorts(...openPorts)), config);
      expect(r.status, r.message).toBe('pass');
      expect(r.message).toBe(`127.0.0.1:${openPorts[0]} and 127.0.0.1:${openPorts[1]} accept connections`);
    });

    it('fails before the lab: nothing listens and there is no node container', async () => {
      const config = { ...defaultConfig, httpPort: closedPort, httpsPort: openPorts[1] };
      const r = await runOne(hostPorts(), loadState('before'), config);
      expect(r.status).toBe('fail');
      expect(r.message).toBe(
        `nothing accepts connections on HTTP port 127.0.0.1:${closedPort} (ECONNREFUSED) and the node container does not publish it; ` +
          `something other than the node container listens on HTTPS port 127.0.0.1:${openPorts[1]}`,
      );
    });

    it('fails when docker publishes a port but connecting to it is refused', async () => {
      const config = { ...defaultConfig, httpPort: openPorts[0], httpsPort: closedPort };
      const r = await runOne(hostPorts(), withDocker(loadState('after'), dockerPorts(openPorts[0], closedPort)), config);
      expect(r.message).toBe(`HTTPS port 127.0.0.1:${closedPort} is published by the node container but a TCP connect failed (ECONNREFUSED)`);
    });
  });
});

describe('lab 01 text', () => {
  it('has an explicit anchor right before a paragraph for every check hint', () => {
    const readme = readFileSync(join(repoRoot, 'labs', '01-cluster', 'README.md'), 'utf8');
    for (const check of checks) {
      expect(readme, check.hint).toMatch(new RegExp(`<a id="${check.hint}"></a>\\n+\\S`));
    }
  });
});

describe('kind config', () => {
  // Field names checked against kind v0.31.0 pkg/apis/config/v1alpha4/types.go (Cluster.name, Node.image,
  // Node.kubeadmConfigPatches, PortMapping.containerPort/hostPort/listenAddress/protocol) and its ingress guide
  // (InitConfiguration nodeRegistration.kubeletExtraArgs.node-labels; v0.31.0 still renders kubeadm v1beta3, map form).
  const render = (config: LabConfig) => parse(renderKindConfig(config));

  it('the template names the pinned node image, so the file and labs/pins.ts cannot drift apart', () => {
    const template = parse(readFileSync(join(repoRoot, 'manifests', 'kind', 'cluster.yaml'), 'utf8'));
    expect(template.nodes[0].image).toBe(kindNodeImage);
    expect(kindNodeImage).toMatch(/^kindest\/node:v1\.35\.\d+@sha256:[0-9a-f]{64}$/);
  });

  it('renders one control-plane node with loopback-only 30080→80 and 30443→443 and the ingress-ready label', () => {
    const cfg = render(defaultConfig);
    expect(cfg.kind).toBe('Cluster');
    expect(cfg.apiVersion).toBe('kind.x-k8s.io/v1alpha4');
    expect(cfg.name).toBe('edge-to-mesh');
    expect(cfg.nodes).toHaveLength(1);
    expect(cfg.nodes[0].role).toBe('control-plane');
    expect(cfg.nodes[0].image).toBe(kindNodeImage);
    expect(cfg.nodes[0].extraPortMappings).toEqual([
      { containerPort: 30080, hostPort: 80, listenAddress: '127.0.0.1', protocol: 'TCP' },
      { containerPort: 30443, hostPort: 443, listenAddress: '127.0.0.1', protocol: 'TCP' },
    ]);
    const patch = parse(cfg.nodes[0].kubeadmConfigPatches[0]);
    expect(patch).toEqual({ kind: 'InitConfiguration', nodeRegistration: { kubeletExtraArgs: { 'node-labels': 'ingress-ready=true' } } });
  });

  it('applies LAB_HTTP_PORT/LAB_HTTPS_PORT, the listen address and the cluster name', () => {
    const cfg = render({ ...defaultConfig, clusterName: 'e2m-2', httpPort: 8080, httpsPort: 8443, listenAddress: '127.0.0.2' });
    expect(cfg.name).toBe('e2m-2');
    expect(cfg.nodes[0].extraPortMappings.map((m: { hostPort: number; listenAddress: string }) => `${m.listenAddress}:${m.hostPort}`)).toEqual(['127.0.0.2:8080', '127.0.0.2:8443']);
  });

  it('refuses a template that lost a node-port mapping', () => {
    const template = readFileSync(join(repoRoot, 'manifests', 'kind', 'cluster.yaml'), 'utf8').replace('containerPort: 30443', 'containerPort: 31443');
    expect(() => renderKindConfig(defaultConfig, template)).toThrow('manifests/kind/cluster.yaml does not map node port 30443');
  });
});

const MUTATING = (c: FakeCall) =>
  (c.tool === 'kind' && ['create', 'delete', 'load'].includes(c.argv[0]!)) ||
  (c.tool === 'kubectl' && c.argv.some((a) => ['apply', 'create', 'delete', 'patch', 'label', 'annotate', 'restart', 'scale'].includes(a))) ||
  (c.tool === 'helm' && c.argv.some((a) => ['upgrade', 'install', 'uninstall', 'rollback'].includes(a)));

describe('lab 01 steps', () => {
  const lab = findLab('01');
  const mod = lab01 as LabModule;
  /** A fresh machine: no cluster yet; the Node and CoreDNS objects stand for what kind brings up. */
  const fresh = (): Scenario => ({ persist: true, kindClusters: [], objects: [kindNode(), ...(loadState('after').objects ?? []).filter((o) => (o as { kind: string }).kind === 'Deployment')] });

  it('creates the cluster from the rendered config, records it, writes the marker with the same id, then a second run changes nothing', async () => {
    const { fake, ctx } = contextFor(fresh(), { seed: false });
    const first = await runLab(ctx, lab, mod, 'run');
    expect(first.ran).toEqual(['create-cluster']);
    expect(first.skipped).toEqual(['wait-ready']);

    const calls = fake.calls();
    const create = calls.find((c) => c.tool === 'kind' && c.argv[0] === 'create')!;
    expect(create.argv).toEqual(['create', 'cluster', '--name', 'edge-to-mesh', '--config', join(fake.env.LAB_HOME!, 'kind-config.yaml'), '--kubeconfig', join(fake.env.LAB_HOME!, 'kubeconfig'), '--wait', '2m']);
    const written = parse(readFileSync(join(fake.env.LAB_HOME!, 'kind-config.yaml'), 'utf8'));
    expect(written.nodes[0].extraPortMappings.map((m: { hostPort: number }) => m.hostPort)).toEqual([80, 443]);

    const state = readState(join(fake.env.LAB_HOME!, 'state.json'));
    expect(state.cluster).toMatchObject({ name: 'edge-to-mesh', config: defaultConfig });
    expect(state.cluster!.id).toMatch(/^[0-9a-f-]{36}$/);
    const markerApply = calls.find((c) => c.tool === 'kubectl' && c.argv.includes('apply'))!;
    expect(markerApply.argv.slice(0, 4)).toEqual(['--kubeconfig', join(fake.env.LAB_HOME!, 'kubeconfig'), '--context', 'kind-edge-to-mesh']);
    expect(parse(markerApply.stdin!).data).toMatchObject({ clusterName: 'edge-to-mesh', clusterId: state.cluster!.id });
    // Nothing before kind create may touch a cluster.
    expect(calls.indexOf(create)).toBeLessThan(calls.indexOf(markerApply));
    expect(calls.slice(0, calls.indexOf(create)).every((c) => c.tool === 'kind')).toBe(true);

    const before = fake.calls().length;
    const second = await runLab(ctx, lab, mod, 'run');
    expect(second.ran).toEqual([]);
    expect(second.skipped).toEqual(['create-cluster', 'wait-ready']);
    expect(fake.calls().slice(before).filter(MUTATING)).toEqual([]);
  });

  it('on a recorded, marked cluster runs nothing that changes anything', async () => {
    const { fake, ctx } = contextFor({ ...loadState('after'), persist: true });
    const out = await runLab(ctx, lab, mod, 'run');
    expect(out.ran).toEqual([]);
    expect(fake.calls().filter(MUTATING)).toEqual([]);
  });

  it('refuses to adopt a same-named cluster the state does not record', async () => {
    const { fake, ctx } = contextFor({ ...loadState('after'), persist: true }, { seed: false });
    const error = await runLab(ctx, lab, mod, 'run').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardError);
    expect((error as Error).message).toMatch(/^a kind cluster named "edge-to-mesh" exists, but .*state\.json does not record it/);
    expect(fake.calls().filter(MUTATING)).toEqual([]);
  });

  const unreachable = (): Scenario => ({
    ...loadState('after'),
    persist: true,
    rules: [{ tool: 'kubectl', args: ['get', 'nodes'], exit: 1, stderr: 'The connection to the server 127.0.0.1:41235 was refused - did you specify the right host or port?' }],
  });

  it('explains a recorded cluster whose API does not answer, and points at --recreate', async () => {
    const { fake, ctx } = contextFor(unreachable());
    const error = await runLab(ctx, lab, mod, 'run').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/^cluster "edge-to-mesh" is recorded in .*state\.json, but its API does not answer/);
    expect((error as UserError).hint).toContain('npx lab run 01 --recreate');
    expect(fake.calls().filter(MUTATING)).toEqual([]);
  });

  it('--recreate deletes the recorded cluster and creates it again', async () => {
    const { fake, ctx } = contextFor(unreachable(), { flags: { recreate: true } });
    await executeSteps(ctx, [mod.steps[0]!]);
    const mutations = fake.calls().filter(MUTATING).map((c) => `${c.tool} ${c.argv.slice(0, 2).join(' ')}`);
    expect(mutations.slice(0, 2)).toEqual(['kind delete cluster', 'kind create cluster']);
    expect(readState(join(fake.env.LAB_HOME!, 'state.json')).cluster!.id).not.toBe(CLUSTER_ID);
  });

  it('--recreate refuses a reachable cluster whose marker belongs to another checkout', async () => {
    const after = loadState('after');
    const objects = (after.objects ?? []).map((o) => ((o as { kind: string }).kind === 'ConfigMap' ? marker('00000000-0000-4000-8000-000000000000') : o));
    const { fake, ctx } = contextFor({ ...after, objects, persist: true }, { flags: { recreate: true } });
    const error = await executeSteps(ctx, [mod.steps[0]!]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardError);
    expect(fake.calls().filter(MUTATING)).toEqual([]);
  });
});

describe('lab down', () => {
  const down = (ctx: LabContext) => executeSteps(ctx, lab01.downSteps(ctx));

  it('deletes the lab cluster, clears state and kubeconfig, keeps .lab/pki', async () => {
    const { fake, ctx } = contextFor({ ...loadState('after'), persist: true });
    mkdirSync(ctx.paths.pki, { recursive: true });
    writeFileSync(join(ctx.paths.pki, 'linkerd-trust-anchor.crt'), 'x');
    await down(ctx);
    // --kubeconfig: kind removes the context from the kubeconfig it targets; that must be the lab's, never ~/.kube/config.
    expect(fake.calls().filter(MUTATING).map((c) => c.argv)).toEqual([['delete', 'cluster', '--name', 'edge-to-mesh', '--kubeconfig', ctx.paths.kubeconfig]]);
    expect(readState(ctx.paths.state)).toMatchObject({ cluster: null, labs: {} });
    expect(existsSync(ctx.paths.kubeconfig)).toBe(false);
    expect(existsSync(join(ctx.paths.pki, 'linkerd-trust-anchor.crt'))).toBe(true);
  });

  it('--purge also removes .lab/pki', async () => {
    const { ctx } = contextFor({ ...loadState('after'), persist: true }, { flags: { purge: true } });
    mkdirSync(ctx.paths.pki, { recursive: true });
    await down(ctx);
    expect(existsSync(ctx.paths.pki)).toBe(false);
  });

  it('when the cluster is already gone, only cleans .lab/', async () => {
    const { fake, ctx } = contextFor({ kindClusters: [], persist: true });
    await down(ctx);
    expect(fake.calls().filter(MUTATING)).toEqual([]);
    expect(readState(ctx.paths.state).cluster).toBeNull();
  });

  it('never deletes a cluster of that name that is not the lab\'s', async () => {
    const after = loadState('after');
    const objects = (after.objects ?? []).filter((o) => (o as { kind: string }).kind !== 'ConfigMap');
    const { fake, ctx } = contextFor({ ...after, objects, persist: true });
    const error = await down(ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardError);
    expect(fake.calls().filter(MUTATING)).toEqual([]);
    expect(readState(ctx.paths.state).cluster?.id).toBe(CLUSTER_ID);
  });
});

describe('plan of labs 01 and 02 (golden)', () => {
  it('matches tests/labs/golden/plan-01-02.txt, and every kubectl/helm/linkerd command carries the lab kubeconfig and context', () => {
    const { fake, ctx } = contextFor({}, { seed: false });
    const home = fake.env.LAB_HOME!;
    const argvs = [...planArgv(ctx, lab01 as LabModule, 'run'), ...planArgv(ctx, lab02 as LabModule, 'run')];
    for (const argv of argvs.filter((a) => ['kubectl', 'helm', 'linkerd'].includes(a[0]!))) {
      expect(argv.slice(1, 5), argv.join(' ')).toEqual(['--kubeconfig', join(home, 'kubeconfig'), argv[0] === 'helm' ? '--kube-context' : '--context', 'kind-edge-to-mesh']);
    }
    const text =
      argvs
        .map((argv) => quoteArgv(argv.map((a) => a.replace(home, '.lab').replace(repoRoot + '/', ''))))
        .join('\n') + '\n';
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});
