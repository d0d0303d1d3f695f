// Lab 01 steps: create the kind cluster (private kubeconfig, ingress port mappings, marker), then wait for it.
import { randomUUID } from 'node:crypto';
import type { Action, LabContext, Step } from '../../scripts/engine/types.ts';
import { confirmLabCluster } from '../../scripts/cluster/guard.ts';
import { markerManifest } from '../../scripts/cluster/marker.ts';
import { EnvironmentError, GuardError, UserError } from '../../scripts/lib/errors.ts';
import { CommandError } from '../../scripts/lib/exec.ts';
import { writeFileAtomic } from '../../scripts/lib/fsutil.ts';
import { displayPath } from '../../scripts/lib/paths.ts';
import { readState, updateState } from '../../scripts/lib/state.ts';
import { kindConfigPath, nodeContainer, renderKindConfig } from './kind-config.ts';
import { deploymentProblem, nodeProblems } from './status.ts';

/** Pulling the ~400 MB node image on a slow network dominates; kind's own --wait covers the control plane. */
const CREATE_TIMEOUT_MS = 15 * 60_000;
const READY_BUDGET_MS = 120_000;

/** Cluster names `kind get clusters` prints; Docker being down is an environment problem, not a missing cluster. */
export async function kindClusters(ctx: LabContext): Promise<string[]> {
  try {
    const r = await ctx.exec.run(['kind', 'get', 'clusters'], { quiet: true, timeoutMs: 30_000 });
    return r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  } catch (error) {
    if (error instanceof CommandError) {
      throw new EnvironmentError(`cannot list kind clusters: ${error.stderr.split('\n')[0] || error.cause1}`, 'is Docker running? "npx lab doctor" checks it');
    }
    throw error;
  }
}

/**
 * Skips creation only for the lab's own, reachable cluster. A cluster of that name the state does not record is
 * someone else's: refuse rather than adopt it. With --recreate, only a recorded cluster is deleted, and only when
 * its marker matches or its API is down (then the marker cannot be read).
 */
async function clusterSatisfied(ctx: LabContext): Promise<string | false> {
  const name = ctx.config.clusterName;
  const exists = (await kindClusters(ctx)).includes(name);
  const state = readState(ctx.paths.state);
  const recorded = state.cluster?.name === name;
  if (exists && !recorded) {
    throw new GuardError(
      `a kind cluster named "${name}" exists, but ${displayPath(ctx.paths.state)} does not record it: the lab does not adopt clusters it did not create`,
      `if it is yours to lose, delete it ("kind delete cluster --name ${name}") and run "npx lab run 01" again; to keep it, give the lab another name: LAB_CLUSTER_NAME=edge-to-mesh-2 npx lab run 01`,
    );
  }
  if (!exists) return false;
  try {
    await confirmLabCluster(ctx);
  } catch (error) {
    if (error instanceof EnvironmentError) {
      if (ctx.flags.recreate) return false;
      throw new UserError(
        `cluster "${name}" is recorded in ${displayPath(ctx.paths.state)}, but its API does not answer (${error.message})`,
        `after a Docker restart the node container may still be starting: wait a minute, or "docker start ${nodeContainer(ctx.config)}". ` +
          `"npx lab run 01 --recreate" deletes the cluster and creates it again (every later lab must then run again)`,
      );
    }
    throw error;
  }
  if (ctx.flags.recreate) return false;
  return `kind cluster "${name}" exists and carries the marker recorded in ${displayPath(ctx.paths.state)}`;
}

/** A new cluster has nothing from labs 02+ in it: their records go, lab 00/01 stay. */
function recordCluster(ctx: LabContext, record: { name: string; id: string; createdAt: string }): void {
  updateState(ctx.paths.state, (s) => {
    s.cluster = { ...record, config: ctx.config };
    for (const lab of Object.keys(s.labs)) if (lab !== '00' && lab !== '01') delete s.labs[lab];
  });
}

export const createCluster: Step = {
  id: 'create-cluster',
  title: "Create the lab's kind cluster",
  // The cluster does not exist yet; satisfied() does the guarding for an existing one.
  guard: 'none',
  satisfied: clusterSatisfied,
  actions(ctx) {
    const name = ctx.config.clusterName;
    // One id per run, so the state record and the marker written a moment later agree.
    const id = randomUUID();
    const createdAt = ctx.now().toISOString();
    const configFile = kindConfigPath(ctx.paths);
    const actions: Action[] = [];
    if (ctx.flags.recreate) {
      actions.push({ type: 'exec', why: '--recreate: delete the recorded cluster first.', argv: ['kind', 'delete', 'cluster', '--name', name, '--kubeconfig', ctx.paths.kubeconfig] });
    }
    actions.push(
      {
        type: 'task',
        title: `write ${displayPath(configFile)} from manifests/kind/cluster.yaml with this machine's ports`,
        run: async (c) => writeFileAtomic(kindConfigPath(c.paths), renderKindConfig(c.config)),
      },
      {
        type: 'exec',
        why: `The kubeconfig goes to ${displayPath(ctx.paths.kubeconfig)}, never ~/.kube/config.`,
        argv: ['kind', 'create', 'cluster', '--name', name, '--config', configFile, '--kubeconfig', ctx.paths.kubeconfig, '--wait', '2m'],
        timeoutMs: CREATE_TIMEOUT_MS,
      },
      {
        type: 'task',
        title: `record cluster "${name}" (id ${id}) in ${displayPath(ctx.paths.state)}`,
        run: async (c) => recordCluster(c, { name, id, createdAt }),
      },
      {
        type: 'exec',
        why: 'The marker ties the cluster to this checkout: the guard compares it with the state file before every change.',
        argv: ctx.kube.kubectl('apply', '-f', '-'),
        stdinText: markerManifest(name, id, createdAt),
      },
    );
    return actions;
  },
};

export const waitReady: Step = {
  id: 'wait-ready',
  title: 'Wait for the node and CoreDNS',
  async satisfied(ctx) {
    const nodes = await ctx.kube.list('nodes');
    const coredns = await ctx.kube.get('deployment', 'coredns', 'kube-system');
    if (nodes.length === 0 || nodeProblems(nodes).length || deploymentProblem(coredns, 'coredns', 'kube-system')) return false;
    return 'the node is Ready and CoreDNS is available';
  },
  actions: (ctx) => [
    {
      type: 'wait',
      what: 'node Ready',
      budgetMs: READY_BUDGET_MS,
      argv: ctx.kube.kubectl('wait', '--for=condition=Ready', 'node', '--all', `--timeout=${READY_BUDGET_MS / 1000}s`),
      lastState: ctx.kube.kubectl('get', 'nodes', '-o', 'wide'),
    },
    {
      type: 'wait',
      what: 'CoreDNS available',
      budgetMs: READY_BUDGET_MS,
      argv: ctx.kube.kubectl('rollout', 'status', 'deployment/coredns', '--namespace', 'kube-system', `--timeout=${READY_BUDGET_MS / 1000}s`),
      lastState: ctx.kube.kubectl('get', 'pods', '--namespace', 'kube-system', '--selector', 'k8s-app=kube-dns', '-o', 'wide'),
    },
  ],
};

export const steps: Step[] = [createCluster, waitReady];
