// `lab down`: delete the lab's own kind cluster, then forget it in .lab/ (PKI and tool cache stay unless --purge).
import { rmSync } from 'node:fs';
import type { LabContext, Step } from '../../scripts/engine/types.ts';
import { confirmLabCluster } from '../../scripts/cluster/guard.ts';
import { EnvironmentError } from '../../scripts/lib/errors.ts';
import { displayPath } from '../../scripts/lib/paths.ts';
import { updateState } from '../../scripts/lib/state.ts';
import { kindConfigPath } from './kind-config.ts';
import { kindClusters } from './steps.ts';

/**
 * The delete is guarded inside satisfied() rather than by `guard: 'cluster'`: the runner's guard needs a reachable
 * API, which would make `lab down` fail exactly when the cluster is already gone and only .lab/ needs cleaning.
 * When the cluster exists, the same guard (state record, nodes' providerID, marker id) must pass first.
 */
const deleteCluster: Step = {
  id: 'delete-cluster',
  title: "Delete the lab's kind cluster",
  guard: 'none',
  async satisfied(ctx) {
    const name = ctx.config.clusterName;
    if (!(await kindClusters(ctx)).includes(name)) return `there is no kind cluster named "${name}"`;
    try {
      await confirmLabCluster(ctx);
    } catch (error) {
      if (error instanceof EnvironmentError) {
        throw new EnvironmentError(
          `cluster "${name}" exists but its API does not answer, so the lab cannot prove it is its own: ${error.message}`,
          `start Docker and try again; if you know it is the lab's cluster, delete it yourself ("kind delete cluster --name ${name}") and run "npx lab down" again`,
        );
      }
      throw error;
    }
    return false;
  },
  actions: (ctx) => [{ type: 'exec', argv: ['kind', 'delete', 'cluster', '--name', ctx.config.clusterName, '--kubeconfig', ctx.paths.kubeconfig] }],
};

function forget(ctx: LabContext): void {
  updateState(ctx.paths.state, (s) => {
    s.cluster = null;
    s.labs = {};
  });
  rmSync(ctx.paths.kubeconfig, { force: true });
  rmSync(kindConfigPath(ctx.paths), { force: true });
  if (ctx.flags.purge) rmSync(ctx.paths.pki, { recursive: true, force: true });
}

const forgetCluster: Step = {
  id: 'forget-cluster',
  title: 'Forget the cluster in .lab/',
  guard: 'none',
  actions: (ctx) => [
    {
      type: 'task',
      title: `clear the cluster and lab records in ${displayPath(ctx.paths.state)}, remove the kubeconfig${ctx.flags.purge ? ' and the PKI' : ''}`,
      run: async (c) => forget(c),
      equivalent: [
        ['rm', '-f', ctx.paths.kubeconfig, kindConfigPath(ctx.paths)],
        ...(ctx.flags.purge ? [['rm', '-rf', ctx.paths.pki]] : []),
      ],
    },
  ],
};

export function downSteps(_ctx: LabContext): Step[] {
  return [deleteCluster, forgetCluster];
}

