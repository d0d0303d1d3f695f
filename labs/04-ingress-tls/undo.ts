// Takes lab 04 back out of the cluster (for `lab reset --to 04`): Emissary, its CRDs and namespace.
import type { Step } from '../../scripts/engine/types.ts';
import { deleteNamespace, helmUninstall } from '../../scripts/cluster/teardown.ts';
import { EMISSARY_NAMESPACE } from './steps.ts';

export const undo: Step[] = [
  {
    id: 'uninstall-emissary',
    title: 'Uninstall Emissary-ingress and its CRDs',
    async satisfied(ctx) {
      return (await ctx.kube.get('namespace', EMISSARY_NAMESPACE)) ? false : `namespace ${EMISSARY_NAMESPACE} does not exist`;
    },
    actions: (ctx) => [
      helmUninstall(ctx, 'emissary', EMISSARY_NAMESPACE),
      helmUninstall(ctx, 'emissary-crds', EMISSARY_NAMESPACE),
      deleteNamespace(ctx, EMISSARY_NAMESPACE),
    ],
  },
];
