// Reading node and deployment status the way `kubectl get` shows it, worded for fail messages.
import type { K8sObject } from '../../scripts/cluster/kube.ts';
import { conditionTrue } from '../../scripts/cluster/kube.ts';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

function condition(obj: K8sObject, type: string): Condition | undefined {
  return (obj.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}

/** One line per node that is not Ready, with the kubelet's reason ("KubeletNotReady: … cni plugin not initialized"). */
export function nodeProblems(nodes: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const node of nodes) {
    const ready = condition(node, 'Ready');
    if (ready?.status === 'True') continue;
    const why = ready ? `Ready=${ready.status}${ready.reason ? `, ${ready.reason}` : ''}${ready.message ? `: ${ready.message}` : ''}` : 'no Ready condition yet';
    problems.push(`node ${node.metadata.name} is not Ready (${why})`);
  }
  return problems;
}

/** The first problem with a deployment's availability; undefined when every wanted replica is available. */
export function deploymentProblem(deployment: K8sObject | null, name: string, namespace: string): string | undefined {
  if (!deployment) return `deployment ${name} not found in namespace ${namespace}`;
  const want: number = deployment.spec?.replicas ?? 1;
  const available: number = deployment.status?.availableReplicas ?? 0;
  if (available < want || !conditionTrue(deployment, 'Available')) {
    const progressing = condition(deployment, 'Progressing');
    const detail = progressing && progressing.status !== 'True' && progressing.message ? ` (${progressing.message})` : '';
    return `deployment ${name} has ${available}/${want} available replicas${detail}`;
  }
  return undefined;
}
