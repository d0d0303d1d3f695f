// Takes lab 02 back out of the cluster (for `lab reset --to 02`), in the reverse order of its steps.
import type { Step, LabContext, Action } from '../../scripts/engine/types.ts';
import { gatewayApi } from '../pins.ts';
import { CHARTS, LINKERD_NAMESPACE, VIZ_NAMESPACE } from './steps.ts';
import { PROBE } from './probe.ts';

const deleteNamespace = (ctx: LabContext, namespace: string): Action => ({
  type: 'wait',
  what: `namespace ${namespace} deleted`,
  budgetMs: 180_000,
  argv: ctx.kube.kubectl('delete', 'namespace', namespace, '--ignore-not-found', '--wait', '--timeout=180s'),
  lastState: ctx.kube.kubectl('get', 'all', '--namespace', namespace),
});

const uninstall = (ctx: LabContext, chart: { release: string; namespace: string }): Action => ({
  type: 'exec',
  // --ignore-not-found: a half-installed lab must still undo cleanly.
  argv: ctx.kube.helm('uninstall', chart.release, '--namespace', chart.namespace, '--ignore-not-found', '--wait'),
});

export const undo: Step[] = [
  {
    id: 'remove-linkerd',
    title: 'Remove the mesh probe, linkerd-viz and the Linkerd control plane and CRDs',
    async satisfied(ctx) {
      return (await ctx.kube.get('namespace', LINKERD_NAMESPACE)) ? false : `namespace ${LINKERD_NAMESPACE} does not exist`;
    },
    actions: (ctx) => [
      deleteNamespace(ctx, PROBE.namespace),
      uninstall(ctx, CHARTS.viz),
      deleteNamespace(ctx, VIZ_NAMESPACE),
      uninstall(ctx, CHARTS.controlPlane),
      uninstall(ctx, CHARTS.crds),
      deleteNamespace(ctx, LINKERD_NAMESPACE),
    ],
  },
  {
    id: 'remove-gateway-api',
    title: `Remove the Gateway API ${gatewayApi.version} CRDs`,
    async satisfied(ctx) {
      return (await ctx.kube.get('customresourcedefinition', 'httproutes.gateway.networking.k8s.io')) ? false : 'the Gateway API CRDs are not installed';
    },
    actions: (ctx) => [{ type: 'exec', argv: ctx.kube.kubectl('delete', '--filename', gatewayApi.url, '--ignore-not-found') }],
  },
];
