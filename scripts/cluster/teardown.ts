// Actions that take a lab back out of the cluster, shared by every lab's `undo` steps.
import type { Action, LabContext } from '../engine/types.ts';

/** Deletes a namespace and waits for it to go, showing what is left if it does not. */
export function deleteNamespace(ctx: LabContext, namespace: string, budgetMs = 120_000): Action {
  return {
    type: 'wait',
    what: `namespace ${namespace} deleted`,
    budgetMs,
    argv: ctx.kube.kubectl('delete', 'namespace', namespace, '--ignore-not-found', '--wait', `--timeout=${budgetMs / 1000}s`),
    lastState: ctx.kube.kubectl('get', 'all', '--namespace', namespace),
  };
}

/** --ignore-not-found: a half-installed lab (a release missing) must still undo cleanly. */
export function helmUninstall(ctx: LabContext, release: string, namespace: string): Action {
  return { type: 'exec', argv: ctx.kube.helm('uninstall', release, '--namespace', namespace, '--ignore-not-found', '--wait') };
}
