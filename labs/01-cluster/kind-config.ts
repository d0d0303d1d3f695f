// Renders manifests/kind/cluster.yaml with the lab's settings into the config `kind create cluster` reads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { LabConfig } from '../../scripts/lib/config.ts';
import type { LabPaths } from '../../scripts/lib/paths.ts';
import { labFile } from '../../scripts/lib/paths.ts';
import { kindNodeImage } from '../pins.ts';

export const KIND_CONFIG_TEMPLATE = labFile('manifests', 'kind', 'cluster.yaml');

/** Node ports Emissary's Service uses (lab 04); Docker publishes them on the host's HTTP/HTTPS ports. */
export const INGRESS_NODE_PORTS = { http: 30080, https: 30443 } as const;

export interface PortMapping {
  containerPort: number;
  hostPort: number;
  listenAddress?: string;
  protocol?: string;
}

interface KindNode {
  role: string;
  image?: string;
  kubeadmConfigPatches?: string[];
  extraPortMappings?: PortMapping[];
  [key: string]: unknown;
}

interface KindCluster {
  kind: string;
  apiVersion: string;
  name?: string;
  nodes: KindNode[];
  [key: string]: unknown;
}

export function kindConfigPath(paths: LabPaths): string {
  return join(paths.home, 'kind-config.yaml');
}

/** kind names the single node's container `<cluster>-control-plane`. */
export function nodeContainer(config: LabConfig): string {
  return `${config.clusterName}-control-plane`;
}

/** The template with the settings applied; throws when the template lost a part the lab relies on. */
export function renderKindConfig(config: LabConfig, template: string = readFileSync(KIND_CONFIG_TEMPLATE, 'utf8')): string {
  const cluster = parse(template) as KindCluster;
  if (cluster?.kind !== 'Cluster' || cluster.apiVersion !== 'kind.x-k8s.io/v1alpha4') {
    throw new Error('manifests/kind/cluster.yaml is not a kind.x-k8s.io/v1alpha4 Cluster');
  }
  const node = cluster.nodes?.find((n) => n.role === 'control-plane');
  if (!node) throw new Error('manifests/kind/cluster.yaml has no control-plane node');
  const wanted = new Map<number, number>([
    [INGRESS_NODE_PORTS.http, config.httpPort],
    [INGRESS_NODE_PORTS.https, config.httpsPort],
  ]);
  for (const containerPort of wanted.keys()) {
    if (!node.extraPortMappings?.some((m) => m.containerPort === containerPort)) {
      throw new Error(`manifests/kind/cluster.yaml does not map node port ${containerPort}`);
    }
  }
  cluster.name = config.clusterName;
  node.image = kindNodeImage;
  node.extraPortMappings = node.extraPortMappings!.map((m) =>
    wanted.has(m.containerPort) ? { ...m, hostPort: wanted.get(m.containerPort)!, listenAddress: config.listenAddress, protocol: 'TCP' } : m,
  );
  return `# Written by "npx lab run 01" from manifests/kind/cluster.yaml; edit that file, not this one.\n${stringify(cluster)}`;
}
