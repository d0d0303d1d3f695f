// Reading a pod's Linkerd proxy (native sidecar or classic container), and the steps/checks built on it for labs 03 and 04.
import type { Action, LabContext, Step } from '../../scripts/engine/types.ts';
import type { K8sObject } from '../../scripts/cluster/kube.ts';
import { conditionTrue } from '../../scripts/cluster/kube.ts';
import { fail, pass, type CheckOutcome } from '../../checks/types.ts';

export const PROXY_CONTAINER = 'linkerd-proxy';
/** Linkerd's default trust domain; identities are <sa>.<ns>.serviceaccount.identity.linkerd.cluster.local. */
export const TRUST_DOMAIN_SUFFIX = 'serviceaccount.identity.linkerd.cluster.local';

export function meshIdentity(serviceAccount: string, namespace: string): string {
  return `${serviceAccount}.${namespace}.${TRUST_DOMAIN_SUFFIX}`;
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; running?: unknown; terminated?: { reason?: string } };
}

export type ProxyState =
  | { kind: 'ready'; native: boolean }
  | { kind: 'missing' }
  | { kind: 'not-ready'; native: boolean; detail: string };

/**
 * Linkerd 2.20 injects the proxy as a native sidecar (an init container with restartPolicy Always), so its
 * status is in initContainerStatuses; proxies injected as regular containers (older Linkerd) are in containerStatuses.
 */
export function proxyState(pod: K8sObject): ProxyState {
  const init: ContainerStatus[] = pod.status?.initContainerStatuses ?? [];
  const main: ContainerStatus[] = pod.status?.containerStatuses ?? [];
  const inInit = init.find((c) => c.name === PROXY_CONTAINER);
  const status = inInit ?? main.find((c) => c.name === PROXY_CONTAINER);
  const declared = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].some((c: { name: string }) => c.name === PROXY_CONTAINER);
  if (!status && !declared) return { kind: 'missing' };
  const native = !!inInit || (pod.spec?.initContainers ?? []).some((c: { name: string }) => c.name === PROXY_CONTAINER);
  if (!status) return { kind: 'not-ready', native, detail: 'has not started yet' };
  if (status.ready === true) return { kind: 'ready', native };
  const reason = status.state?.waiting?.reason ?? status.state?.terminated?.reason;
  const restarts = status.restartCount ? `, ${status.restartCount} restarts` : '';
  return { kind: 'not-ready', native, detail: `is not ready${reason ? ` (${reason}${restarts})` : restarts ? ` (${restarts.slice(2)})` : ''}` };
}

/** Pods that count: not being deleted and not finished (a rollout leaves terminating pods behind for a while). */
export function livePods(pods: K8sObject[]): K8sObject[] {
  return pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}

/** "a=b,c=d" from a Deployment's spec.selector.matchLabels. */
export function selectorOf(deployment: K8sObject): string {
  const labels: Record<string, string> = deployment.spec?.selector?.matchLabels ?? {};
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The first problem with a deployment's availability, in the words a learner would look for; undefined when available. */
export function deploymentProblem(deployment: K8sObject | null, name: string, namespace: string): string | undefined {
  if (!deployment) return `deployment ${name} not found in namespace ${namespace}`;
  const want: number = deployment.spec?.replicas ?? 1;
  const available: number = deployment.status?.availableReplicas ?? 0;
  if (available < want || !conditionTrue(deployment, 'Available')) {
    return `deployment ${name} has ${available}/${want} available replicas`;
  }
  return undefined;
}

/** Every live pod in `pods` carries a ready linkerd-proxy; `where` names them in messages ("in namespace app"). */
export function meshedOutcome(pods: K8sObject[], where: string): CheckOutcome {
  const live = livePods(pods);
  if (live.length === 0) return fail(`no pods ${where}`);
  const problems: string[] = [];
  for (const pod of live) {
    const state = proxyState(pod);
    if (state.kind === 'missing') problems.push(`pod ${pod.metadata.name} has no linkerd-proxy: it was created without injection`);
    else if (state.kind === 'not-ready') problems.push(`pod ${pod.metadata.name}: linkerd-proxy ${state.detail}`);
  }
  if (problems.length) return fail(problems.join('; '));
  const native = live.every((p) => (proxyState(p) as { native?: boolean }).native);
  return pass(`${live.length} pod${live.length === 1 ? '' : 's'} with a ready proxy${native ? ' (native sidecar)' : ''}`);
}

/** Live pods of these deployments (found by each one's selector) that have no linkerd-proxy at all. */
export async function podsWithoutProxy(ctx: LabContext, namespace: string, deployments: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of deployments) {
    const deployment = await ctx.kube.get('deployment', name, namespace);
    if (!deployment) continue;
    const pods = livePods(await ctx.kube.list('pods', { namespace, selector: selectorOf(deployment) }));
    missing.push(...pods.filter((p) => proxyState(p).kind === 'missing').map((p) => p.metadata.name));
  }
  return missing;
}

export function rolloutWait(ctx: LabContext, namespace: string, deployment: string, budgetMs: number): Action {
  return {
    type: 'wait',
    what: `deployment ${deployment} in namespace ${namespace} to roll out`,
    budgetMs,
    argv: ctx.kube.kubectl('rollout', 'status', `deployment/${deployment}`, '--namespace', namespace, `--timeout=${Math.round(budgetMs / 1000)}s`),
    lastState: ctx.kube.kubectl('get', 'pods', '--namespace', namespace, '--output', 'wide'),
  };
}

/**
 * Linkerd's injector webhook fails open: a pod created while it was down, or before the namespace was annotated,
 * runs without a proxy and stays that way. This step restarts the deployments only when such a pod exists.
 */
export function restartUnmeshedStep(opts: { id: string; namespace: string; deployments: string[]; budgetMs: number }): Step {
  return {
    id: opts.id,
    title: `Restart ${opts.deployments.join(' and ')} if a pod started without a Linkerd proxy`,
    async satisfied(ctx) {
      const missing = await podsWithoutProxy(ctx, opts.namespace, opts.deployments);
      return missing.length === 0 ? `every pod of ${opts.deployments.join(' and ')} has a linkerd-proxy` : false;
    },
    actions: (ctx) => [
      {
        type: 'exec',
        why: 'Pods get their proxy only when created; a restart makes new, injected pods.',
        argv: ctx.kube.kubectl('rollout', 'restart', ...opts.deployments.map((d) => `deployment/${d}`), '--namespace', opts.namespace),
      },
      ...opts.deployments.map((d) => rolloutWait(ctx, opts.namespace, d, opts.budgetMs)),
    ],
  };
}
