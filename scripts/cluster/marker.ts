// The lab marker: a ConfigMap written right after `kind create cluster`, naming the cluster id in state.
import { stringify } from 'yaml';

export const MARKER = { namespace: 'kube-system', name: 'edge-to-mesh-lab' } as const;

export function markerManifest(clusterName: string, clusterId: string, createdAt: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: MARKER.name,
      namespace: MARKER.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'edge-to-mesh' },
    },
    data: { clusterName, clusterId, createdAt },
  });
}

/** kind sets spec.providerID to kind://<provider>/<cluster>/<node>. */
export function providerIdNamesCluster(providerId: string | undefined, clusterName: string): boolean {
  if (!providerId) return false;
  const m = /^kind:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(providerId);
  return !!m && m[2] === clusterName;
}
