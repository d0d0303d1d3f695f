// Lab 03 steps: apply the podinfo frontend and backend to the meshed namespace app, and wait for both.
import type { Step } from '../../scripts/engine/types.ts';
import { labFile } from '../../scripts/lib/paths.ts';
import { restartUnmeshedStep, rolloutWait } from './mesh.ts';

export const APP_NAMESPACE = 'app';
export const APP_DEPLOYMENTS = ['frontend', 'backend'] as const;
/** Pulling podinfo (~20 MB) on a fresh node plus the proxy's start fits well inside this. */
const ROLLOUT_BUDGET_MS = 180_000;

export const steps: Step[] = [
  {
    id: 'apply',
    title: 'Deploy podinfo frontend and backend in namespace app',
    actions: (ctx) => [
      {
        type: 'exec',
        why: 'Namespace (with linkerd.io/inject: enabled), ServiceAccounts, Deployments and Services; apply is idempotent.',
        argv: ctx.kube.kubectl('apply', '-f', labFile('manifests', 'app')),
      },
    ],
  },
  {
    id: 'wait',
    title: 'Wait for frontend and backend to roll out',
    actions: (ctx) => APP_DEPLOYMENTS.map((d) => rolloutWait(ctx, APP_NAMESPACE, d, ROLLOUT_BUDGET_MS)),
  },
  restartUnmeshedStep({ id: 'mesh', namespace: APP_NAMESPACE, deployments: [...APP_DEPLOYMENTS], budgetMs: ROLLOUT_BUDGET_MS }),
];
