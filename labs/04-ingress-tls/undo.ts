// Takes lab 04 back out of the cluster (for `lab reset --to 04`): Emissary, its CRDs and namespace.
import type { Step } from '../../scripts/engine/types.ts';
import { EMISSARY_NAMESPACE } from './steps.ts';

export const undo: Step[] = [
  {
    id: 'uninstall-emissary',
    title: 'Uninstall Emissary-ingress and its CRDs',
    async satisfied(ctx) {
      return (await ctx.kube.get('namespace', EMISSARY_NAMESPACE)) ? false : `namespace ${EMISSARY_NAMESPACE} does not exist`;
    },
    actions: (ctx) => [
      // --ignore-not-found: a half-installed lab (one release missing) must still undo cleanly.
      { type: 'exec', argv: ctx.kube.helm('uninstall', 'emissary', '--namespace', EMISSARY_NAMESPACE, '--ignore-not-found', '--wait') },
      { type: 'exec', argv: ctx.kube.helm('uninstall', 'emissary-crds', '--namespace', EMISSARY_NAMESPACE, '--ignore-not-found', '--wait') },
      {
        type: 'wait',
        what: `namespace ${EMISSARY_NAMESPACE} deleted`,
        budgetMs: 120_000,
        argv: ctx.kube.kubectl('delete', 'namespace', EMISSARY_NAMESPACE, '--ignore-not-found', '--wait', '--timeout=120s'),
        lastState: ctx.kube.kubectl('get', 'all', '--namespace', EMISSARY_NAMESPACE),
      },
    ],
  },
];
