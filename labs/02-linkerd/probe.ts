// The mesh probe: a tiny podinfo Deployment in an injection-enabled namespace, proving new pods get a proxy and an identity.
import { stringify } from 'yaml';
import type { LabContext, Step } from '../../scripts/engine/types.ts';
import type { K8sObject } from '../../scripts/cluster/kube.ts';
import { podinfo } from '../pins.ts';
import { deploymentProblem } from '../01-cluster/status.ts';
import { anchorFiles, readLocalCert, shortFingerprint } from './pki.ts';

export const PROBE = { namespace: 'mesh-probe', name: 'mesh-probe', serviceAccount: 'mesh-probe' } as const;
/** Pod-template annotation naming the trust anchor the pods were started under: a new anchor changes it and rolls them. */
export const ANCHOR_ANNOTATION = 'edge-to-mesh.lab/trust-anchor';
const ROLLOUT_BUDGET_MS = 180_000;

/** Linkerd names a workload after its ServiceAccount and namespace, under the trust domain cluster.local. */
export function meshIdentity(serviceAccount: string, namespace: string): string {
  return `${serviceAccount}.${namespace}.serviceaccount.identity.linkerd.cluster.local`;
}

/** What the annotation holds: the anchor's fingerprint, or a placeholder when planning before the PKI exists. */
export function anchorStamp(ctx: LabContext): string {
  const pem = readLocalCert(anchorFiles(ctx).certPath);
  return pem ? shortFingerprint(pem) : 'sha256-of-the-trust-anchor';
}

export function probeObjects(anchor: string): K8sObject[] {
  const labels = { 'app.kubernetes.io/name': PROBE.name, 'app.kubernetes.io/part-of': 'edge-to-mesh' };
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      // Injection is asked for on the namespace: every pod created in it gets a linkerd-proxy.
      metadata: { name: PROBE.namespace, annotations: { 'linkerd.io/inject': 'enabled' }, labels: { 'app.kubernetes.io/part-of': 'edge-to-mesh' } },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: PROBE.serviceAccount, namespace: PROBE.namespace, labels },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: PROBE.name, namespace: PROBE.namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': PROBE.name } },
        template: {
          metadata: { labels, annotations: { [ANCHOR_ANNOTATION]: anchor } },
          spec: {
            serviceAccountName: PROBE.serviceAccount,
            containers: [
              {
                name: 'podinfo',
                image: podinfo.image,
                ports: [{ name: 'http', containerPort: 9898, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/readyz', port: 9898 }, periodSeconds: 5 },
                resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
              },
            ],
          },
        },
      },
    },
  ];
}

export function probeManifest(anchor: string): string {
  return probeObjects(anchor)
    .map((o) => stringify(o))
    .join('---\n');
}

export const meshProbeStep: Step = {
  id: 'mesh-probe',
  title: 'Start a probe pod in a namespace with injection enabled',
  async satisfied(ctx) {
    const ns = await ctx.kube.get('namespace', PROBE.namespace);
    if (ns?.metadata.annotations?.['linkerd.io/inject'] !== 'enabled') return false;
    const deployment = await ctx.kube.get('deployment', PROBE.name, PROBE.namespace);
    if (!deployment || deploymentProblem(deployment, PROBE.name, PROBE.namespace)) return false;
    const template = deployment.spec?.template;
    if (template?.metadata?.annotations?.[ANCHOR_ANNOTATION] !== anchorStamp(ctx)) return false;
    if (template?.spec?.containers?.[0]?.image !== podinfo.image) return false;
    return `deployment ${PROBE.name} runs under the current trust anchor`;
  },
  actions: (ctx) => [
    {
      type: 'exec',
      why: `Namespace ${PROBE.namespace} (linkerd.io/inject: enabled) and a one-replica podinfo; the anchor annotation restarts it after --rotate.`,
      argv: ctx.kube.kubectl('apply', '-f', '-'),
      stdinText: probeManifest(anchorStamp(ctx)),
    },
    {
      type: 'wait',
      what: `deployment ${PROBE.name} in namespace ${PROBE.namespace} to roll out`,
      budgetMs: ROLLOUT_BUDGET_MS,
      argv: ctx.kube.kubectl('rollout', 'status', `deployment/${PROBE.name}`, '--namespace', PROBE.namespace, `--timeout=${ROLLOUT_BUDGET_MS / 1000}s`),
      lastState: ctx.kube.kubectl('get', 'pods', '--namespace', PROBE.namespace, '-o', 'wide'),
    },
  ],
};
