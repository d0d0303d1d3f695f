// Recorded API objects and a pre-seeded state, for tests that need "the lab's own kind cluster".
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_SCHEMA } from '../../scripts/lib/state.ts';
import { defaultConfig } from '../../scripts/lib/config.ts';

export const CLUSTER_ID = '3f1c9a52-7d0e-4b8a-9c61-2a5e8f4d7b10';

export function kindNode(cluster = 'edge-to-mesh', provider = 'docker') {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: `${cluster}-control-plane`,
      labels: { 'ingress-ready': 'true', 'kubernetes.io/hostname': `${cluster}-control-plane`, 'node-role.kubernetes.io/control-plane': '' },
    },
    spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'], providerID: `${provider === 'none' ? 'aws:///eu-west-1a/i-0abc' : `kind://${provider}/${cluster}/${cluster}-control-plane`}` },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }], nodeInfo: { kubeletVersion: 'v1.35.0' } },
  };
}

export function marker(id = CLUSTER_ID, cluster = 'edge-to-mesh') {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'edge-to-mesh-lab', namespace: 'kube-system', labels: { 'app.kubernetes.io/managed-by': 'edge-to-mesh' } },
    data: { clusterName: cluster, clusterId: id, createdAt: '2026-12-04T09:00:00.000Z' },
  };
}

/** Writes LAB_HOME/state.json recording the cluster, and a kubeconfig file, as lab 01 leaves them. */
export function seedLabHome(labHome: string, id = CLUSTER_ID, labs: Record<string, unknown> = {}): void {
  mkdirSync(labHome, { recursive: true });
  writeFileSync(
    join(labHome, 'state.json'),
    JSON.stringify({ schema: STATE_SCHEMA, cluster: { name: 'edge-to-mesh', id, createdAt: '2026-12-04T09:00:00.000Z', config: defaultConfig }, labs }),
  );
  writeFileSync(join(labHome, 'kubeconfig'), 'apiVersion: v1\nkind: Config\n', { mode: 0o600 });
}
