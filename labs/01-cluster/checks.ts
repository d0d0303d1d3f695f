// Lab 01 checks: the lab's own kind cluster is up, reachable through .lab/kubeconfig, and publishes the ingress ports.
import { connect } from 'node:net';
import { fail, pass, type Check, type CheckOutcome } from '../../checks/types.ts';
import type { LabContext } from '../../scripts/engine/types.ts';
import { MARKER } from '../../scripts/cluster/marker.ts';
import { displayPath } from '../../scripts/lib/paths.ts';
import { readState } from '../../scripts/lib/state.ts';
import { INGRESS_NODE_PORTS, nodeContainer } from './kind-config.ts';
import { deploymentProblem, nodeProblems } from './status.ts';

const LAB = '01';

/** `docker inspect --format '{{json .NetworkSettings.Ports}}'`: container port → host bindings (null when unpublished). */
export type PortBindings = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;

type Inspected = { ok: true; ports: PortBindings; raw: string } | { ok: false; outcome: CheckOutcome };

async function inspectNodePorts(ctx: LabContext): Promise<Inspected> {
  const container = nodeContainer(ctx.config);
  const r = await ctx.exec.run(['docker', 'inspect', container, '--format', '{{json .NetworkSettings.Ports}}'], { quiet: true, reject: false, timeoutMs: 20_000 });
  if (r.exitCode !== 0) {
    const said = (r.stderr || r.stdout).trim();
    const message = /no such object|no such container/i.test(said)
      ? `Docker has no container ${container}: the kind node does not exist`
      : `docker inspect ${container} failed: ${said.split('\n')[0]}`;
    return { ok: false, outcome: fail(message, said) };
  }
  try {
    return { ok: true, ports: (JSON.parse(r.stdout) ?? {}) as PortBindings, raw: r.stdout.trim() };
  } catch {
    return { ok: false, outcome: fail(`docker inspect ${container} printed something that is not JSON`, r.stdout.trim()) };
  }
}

interface Wanted {
  containerPort: number;
  hostPort: number;
  label: 'HTTP' | 'HTTPS';
}

function wantedMappings(ctx: LabContext): Wanted[] {
  return [
    { containerPort: INGRESS_NODE_PORTS.http, hostPort: ctx.config.httpPort, label: 'HTTP' },
    { containerPort: INGRESS_NODE_PORTS.https, hostPort: ctx.config.httpsPort, label: 'HTTPS' },
  ];
}

/** Undefined when the node container publishes containerPort on listenAddress:hostPort; otherwise what it does instead. */
function mappingProblem(ctx: LabContext, ports: PortBindings, want: Wanted): string | undefined {
  const container = nodeContainer(ctx.config);
  const bindings = ports[`${want.containerPort}/tcp`] ?? [];
  const expected = `${ctx.config.listenAddress}:${want.hostPort}`;
  if (bindings.some((b) => b.HostIp === ctx.config.listenAddress && b.HostPort === String(want.hostPort))) return undefined;
  if (bindings.length === 0) return `node container ${container} does not publish port ${want.containerPort}/tcp (expected on ${expected})`;
  return `node container ${container} publishes port ${want.containerPort}/tcp on ${bindings.map((b) => `${b.HostIp || '0.0.0.0'}:${b.HostPort}`).join(', ')}, expected ${expected}`;
}

/** A plain TCP connect: proves something accepts on the port, nothing about what answers behind it. */
export function tcpConnect(host: string, port: number, timeoutMs = 3000): Promise<{ ok: true } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: { ok: true } | { ok: false; error: string }) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, error: `no answer within ${timeoutMs} ms` }));
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ ok: false, error: error.code ?? error.message }));
  });
}

const apiReadyz: Check = {
  id: 'cluster.api-readyz',
  title: 'the API server answers /readyz through the lab kubeconfig',
  lab: LAB,
  level: 'behaviour',
  hint: 'api-readyz',
  fatal: true,
  async run(ctx) {
    const r = await ctx.exec.run(ctx.kube.kubectl('get', '--raw', '/readyz'), { quiet: true, reject: false, timeoutMs: 20_000 });
    if (r.exitCode === 0 && r.stdout.trim() === 'ok') return pass(`/readyz answered ok via ${displayPath(ctx.kube.kubeconfig)}`);
    const said = (r.stderr || r.stdout).trim();
    return fail(`the API server behind ${displayPath(ctx.kube.kubeconfig)} did not answer /readyz with ok: ${said.split('\n')[0] || `kubectl exited ${r.exitCode}`}`, said);
  },
};

const nodeReady: Check = {
  id: 'cluster.node-ready',
  title: 'the node is Ready',
  lab: LAB,
  level: 'config',
  hint: 'node-ready',
  async run(ctx) {
    const nodes = await ctx.kube.list('nodes');
    if (nodes.length === 0) return fail('the cluster has no nodes');
    const problems = nodeProblems(nodes);
    if (problems.length) return fail(problems.join('; '));
    return pass(nodes.map((n) => `node ${n.metadata.name} is Ready`).join(', '));
  },
};

const providerId: Check = {
  id: 'cluster.provider-id',
  title: "every node is a node of the lab's kind cluster (providerID)",
  lab: LAB,
  level: 'config',
  hint: 'provider-id',
  async run(ctx) {
    const nodes = await ctx.kube.list('nodes');
    if (nodes.length === 0) return fail('the cluster has no nodes');
    for (const node of nodes) {
      const id: string | undefined = node.spec?.providerID;
      const m = id ? /^kind:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(id) : null;
      if (!m) return fail(`node ${node.metadata.name} has providerID ${id ? `"${id}"` : '(none)'}: it is not a kind node`);
      if (m[2] !== ctx.config.clusterName) {
        return fail(`node ${node.metadata.name} has providerID ${id}: it belongs to kind cluster "${m[2]}", not "${ctx.config.clusterName}"`);
      }
      if (m[3] !== node.metadata.name) return fail(`node ${node.metadata.name} has providerID ${id}, which names node "${m[3]}"`);
    }
    return pass(nodes.map((n) => n.spec.providerID).join(', '));
  },
};

const marker: Check = {
  id: 'cluster.marker',
  title: 'the lab marker in the cluster matches the cluster id in .lab/state.json',
  lab: LAB,
  level: 'config',
  hint: 'marker',
  fatal: true,
  async run(ctx) {
    const recorded = readState(ctx.paths.state).cluster;
    if (!recorded) return fail(`${displayPath(ctx.paths.state)} records no lab cluster`);
    const cm = await ctx.kube.get('configmap', MARKER.name, MARKER.namespace);
    if (!cm) return fail(`the lab marker, ConfigMap ${MARKER.name} in namespace ${MARKER.namespace}, does not exist`);
    const id = cm.data?.clusterId;
    if (id !== recorded.id) {
      return fail(`the lab marker carries cluster id ${id ?? '(none)'}, but ${displayPath(ctx.paths.state)} records ${recorded.id}`, JSON.stringify(cm.data ?? {}));
    }
    return pass(`cluster id ${id}`);
  },
};

const coredns: Check = {
  id: 'cluster.coredns',
  title: 'CoreDNS is available',
  lab: LAB,
  level: 'config',
  hint: 'coredns',
  async run(ctx) {
    const problem = deploymentProblem(await ctx.kube.get('deployment', 'coredns', 'kube-system'), 'coredns', 'kube-system');
    return problem ? fail(problem) : pass('deployment coredns is available');
  },
};

const portMappings: Check = {
  id: 'cluster.port-mappings',
  title: 'the node container publishes node ports 30080/30443 on the HTTP/HTTPS host ports',
  lab: LAB,
  level: 'config',
  hint: 'port-mappings',
  async run(ctx) {
    const inspected = await inspectNodePorts(ctx);
    if (!inspected.ok) return inspected.outcome;
    const problems = wantedMappings(ctx)
      .map((w) => mappingProblem(ctx, inspected.ports, w))
      .filter((p): p is string => !!p);
    if (problems.length) return fail(problems.join('; '), inspected.raw);
    return pass(wantedMappings(ctx).map((w) => `${w.containerPort} → ${ctx.config.listenAddress}:${w.hostPort}`).join(', '));
  },
};

const hostPorts: Check = {
  id: 'cluster.host-ports',
  title: 'the HTTP and HTTPS host ports accept connections and belong to the node container',
  lab: LAB,
  level: 'behaviour',
  hint: 'host-ports',
  async run(ctx) {
    const inspected = await inspectNodePorts(ctx);
    const problems: string[] = [];
    for (const want of wantedMappings(ctx)) {
      const address = `${ctx.config.listenAddress}:${want.hostPort}`;
      const tcp = await tcpConnect(ctx.config.listenAddress, want.hostPort);
      const owned = inspected.ok ? !mappingProblem(ctx, inspected.ports, want) : false;
      if (tcp.ok && owned) continue;
      if (!tcp.ok && owned) problems.push(`${want.label} port ${address} is published by the node container but a TCP connect failed (${tcp.error})`);
      else if (tcp.ok) problems.push(`something other than the node container listens on ${want.label} port ${address}`);
      else problems.push(`nothing accepts connections on ${want.label} port ${address} (${tcp.error}) and the node container does not publish it`);
    }
    if (problems.length) return fail(problems.join('; '), inspected.ok ? inspected.raw : inspected.outcome.status === 'fail' ? inspected.outcome.message : undefined);
    return pass(wantedMappings(ctx).map((w) => `${ctx.config.listenAddress}:${w.hostPort}`).join(' and ') + ' accept connections');
  },
};

export const checks: Check[] = [apiReadyz, nodeReady, providerId, marker, coredns, portMappings, hostPorts];
