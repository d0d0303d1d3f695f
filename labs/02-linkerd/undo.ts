// Takes lab 02 back out of the cluster (for `lab reset --to 02`), in the reverse order of its steps.
import type { Step } from '../../scripts/engine/types.ts';
import { deleteNamespace, helmUninstall } from '../../scripts/cluster/teardown.ts';
import { gatewayApi } from '../pins.ts';
import { CHARTS, LINKERD_NAMESPACE, VIZ_NAMESPACE } from './steps.ts';
import { PROBE } from './probe.ts';

export const undo: Step[] = [
  {
    id: 'remove-linkerd',
    title: 'Remove the mesh probe, linkerd-viz and the Linkerd control plane and CRDs',
    async satisfied(ctx) {
      return (await ctx.kube.get('namespace', LINKERD_NAMESPACE)) ? false : `namespace ${LINKERD_NAMESPACE} does not exist`;
    },
    actions: (ctx) => [
      deleteNamespace(ctx, PROBE.namespace, 180_000),
      helmUninstall(ctx, CHARTS.viz.release, CHARTS.viz.namespace),
      deleteNamespace(ctx, VIZ_NAMESPACE, 180_000),
      helmUninstall(ctx, CHARTS.controlPlane.release, CHARTS.controlPlane.namespace),
      helmUninstall(ctx, CHARTS.crds.release, CHARTS.crds.namespace),
      deleteNamespace(ctx, LINKERD_NAMESPACE, 180_000),
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
