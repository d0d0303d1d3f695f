// Takes lab 03 back out of the cluster (for `lab reset --to 03`): the app namespace and all in it.
import type { Step } from '../../scripts/engine/types.ts';
import { deleteNamespace } from '../../scripts/cluster/teardown.ts';
import { APP_NAMESPACE } from './steps.ts';

export const undo: Step[] = [
  {
    id: 'delete-app',
    title: `Delete namespace ${APP_NAMESPACE} (frontend, backend and their identities)`,
    async satisfied(ctx) {
      return (await ctx.kube.get('namespace', APP_NAMESPACE)) ? false : `namespace ${APP_NAMESPACE} does not exist`;
    },
    actions: (ctx) => [deleteNamespace(ctx, APP_NAMESPACE)],
  },
];
