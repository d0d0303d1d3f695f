// The cluster guard: before any mutating step, prove the kubeconfig points at the lab's own kind cluster.
import { existsSync } from 'node:fs';
import type { LabContext } from '../engine/types.ts';
import { GuardError, EnvironmentError } from '../lib/errors.ts';
import { CommandError } from '../lib/exec.ts';
import { displayPath } from '../lib/paths.ts';
import { readState } from '../lib/state.ts';
import { MARKER, providerIdNamesCluster } from './marker.ts';

/** Throws GuardError (exit 4) unless nodes and marker prove this is the lab's own cluster. */
export async function confirmLabCluster(ctx: LabContext): Promise<void> {
  const name = ctx.config.clusterName;
  const state = readState(ctx.paths.state);
  if (!state.cluster) {
    throw new GuardError(`no lab cluster is recorded in ${displayPath(ctx.paths.state)}`, 'create it with "npx lab run 01" (or "npx lab byo" is not available yet)');
  }
  if (state.cluster.name !== name) {
    throw new GuardError(
      `the state file records cluster "${state.cluster.name}" but this run targets "${name}"`,
      `unset LAB_CLUSTER_NAME, or run "npx lab down" to remove "${state.cluster.name}" first`,
    );
  }
  if (!existsSync(ctx.paths.kubeconfig)) {
    throw new GuardError(`the lab kubeconfig ${displayPath(ctx.paths.kubeconfig)} is missing`, `recreate it with: npx lab kind export kubeconfig --name ${name} --kubeconfig ${displayPath(ctx.paths.kubeconfig)}`);
  }
  let nodes;
  try {
    nodes = await ctx.kube.list('nodes');
  } catch (error) {
    const why = error instanceof CommandError ? error.cause1 : (error as Error).message;
    throw new EnvironmentError(`cannot reach the lab cluster "${name}" through ${displayPath(ctx.paths.kubeconfig)}: ${why}`, 'is Docker running and the node container up? "npx lab doctor" checks both');
  }
  if (nodes.length === 0) throw new GuardError(`the cluster behind context ${ctx.kube.context} has no nodes`, 'this is not a kind cluster the lab made');
  for (const node of nodes) {
    const providerId: string | undefined = node.spec?.providerID;
    if (!providerIdNamesCluster(providerId, name)) {
      throw new GuardError(
        `node ${node.metadata.name} has providerID ${JSON.stringify(providerId ?? null)}, not kind://…/${name}/…: this is not the lab's kind cluster`,
        `the lab only changes its own kind cluster. Check ${displayPath(ctx.paths.kubeconfig)}; if it was replaced, run "npx lab down" and "npx lab run 01"`,
      );
    }
  }
  const marker = await ctx.kube.get('configmap', MARKER.name, MARKER.namespace);
  if (!marker) {
    throw new GuardError(
      `cluster "${name}" has no lab marker (ConfigMap ${MARKER.namespace}/${MARKER.name}): it was not created by this lab`,
      `if you made it yourself, delete it ("kind delete cluster --name ${name}") and run "npx lab run 01"`,
    );
  }
  if (marker.data?.clusterId !== state.cluster.id) {
    throw new GuardError(
      `cluster "${name}" carries marker id ${marker.data?.clusterId ?? '(none)'}, but ${displayPath(ctx.paths.state)} expects ${state.cluster.id}`,
      'another checkout or an earlier run made this cluster. Run "npx lab down" then "npx lab run 01", or restore the matching .lab/ folder',
    );
  }
}
