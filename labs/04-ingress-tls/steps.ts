// Lab 04 steps: a meshed Emissary-ingress 4.1.0 on NodePorts, a TLS Secret from the lab CA, Listeners, Host and Mapping.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { Action, LabContext, Step } from '../../scripts/engine/types.ts';
import { labFile } from '../../scripts/lib/paths.ts';
import { emissary } from '../pins.ts';
import { ensureIngressCert, INGRESS_NAME, LAB_CA_NAME } from '../../scripts/pki/lab-ca.ts';
import { checkStored, keyPairPaths, readKeyPair } from '../../scripts/pki/store.ts';
import { meshIdentity, restartUnmeshedStep, rolloutWait } from '../03-app/mesh.ts';

export const EMISSARY_NAMESPACE = 'emissary';
/** Pinned by fullnameOverride in values.yaml: Deployment, Service and ServiceAccount all carry this name. */
export const EMISSARY_NAME = 'emissary-ingress';
/** What Linkerd calls Emissary; lab 06 allow-lists it on the app's Servers. */
export const EMISSARY_IDENTITY = meshIdentity(EMISSARY_NAME, EMISSARY_NAMESPACE);
export const TLS_SECRET = 'ingress-tls';
/** The hostname written in manifests/emissary/app-host.yaml; replaced by ctx.config.appHost when that differs. */
export const SOURCE_APP_HOST = 'app.localhost';

const RELEASES = {
  crds: { name: 'emissary-crds', chart: emissary.crdsChart, chartName: 'emissary-crds-chart' },
  emissary: { name: 'emissary', chart: emissary.chart, chartName: 'emissary-ingress' },
} as const;
const HELM_TIMEOUT = '5m';
const ROLLOUT_BUDGET_MS = 300_000;
const CRD_BUDGET_MS = 60_000;
const CRDS_WE_USE = ['listeners', 'hosts', 'mappings'].map((p) => `customresourcedefinition/${p}.getambassador.io`);

export const manifest = (file: string) => labFile('manifests', 'emissary', file);

/** The certificate's names: only the app host. The learner's machine trusts the lab CA, so its leaf should name no more than it serves. */
export function ingressHostnames(ctx: LabContext): string[] {
  return [ctx.config.appHost];
}

/** Host and Mapping with the configured hostname (the YAML source says app.localhost). */
export function appHostYaml(appHost: string): string {
  const docs = parseAllDocuments(readFileSync(manifest('app-host.yaml'), 'utf8')).map((d) => d.toJSON() as { spec: { hostname: string } });
  for (const doc of docs) doc.spec.hostname = appHost;
  return docs.map((d) => stringify(d)).join('---\n');
}

export function secretManifest(certPem: string, keyPem: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name: TLS_SECRET, namespace: EMISSARY_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'edge-to-mesh' } },
    data: { 'tls.crt': Buffer.from(certPem).toString('base64'), 'tls.key': Buffer.from(keyPem).toString('base64') },
  });
}

interface HelmListEntry {
  name: string;
  status: string;
  chart?: string;
}

/** Why a release already matches (deployed, same chart version, same user values), or false. */
async function releaseUpToDate(ctx: LabContext, release: { name: string; chartName: string }, values?: unknown): Promise<string | false> {
  const list = await ctx.kube.json<HelmListEntry[]>(
    ctx.kube.helm('list', '--namespace', EMISSARY_NAMESPACE, '--filter', `^${release.name}$`, '--output', 'json'),
  );
  const found = (list ?? []).find((r) => r.name === release.name);
  const chart = `${release.chartName}-${emissary.version}`;
  if (!found || found.status !== 'deployed' || found.chart !== chart) return false;
  if (values !== undefined) {
    const current = await ctx.kube.json<unknown>(ctx.kube.helm('get', 'values', release.name, '--namespace', EMISSARY_NAMESPACE, '--output', 'json'));
    if (!isDeepStrictEqual(current ?? {}, values)) return false;
  }
  return `release ${release.name} (${chart}) is deployed${values !== undefined ? ' with manifests/emissary/values.yaml' : ''}`;
}

/** The stored ingress certificate is current for the configured host and the cluster Secret holds exactly it. */
async function secretUpToDate(ctx: LabContext): Promise<string | false> {
  if (ctx.flags.rotate) return false;
  const ca = readKeyPair(ctx.paths.pki, LAB_CA_NAME);
  // A CA close to expiry is replaced by ensureLabCa, and the leaf with it: let the task run then.
  if (!ca || !checkStored(ctx.paths.pki, LAB_CA_NAME, { minRemainingDays: 30, now: ctx.now(), expect: { isCa: true } }).ok) return false;
  // The same test ensureIngressCert applies before reusing a certificate.
  const verdict = checkStored(ctx.paths.pki, INGRESS_NAME, {
    minRemainingDays: 7,
    now: ctx.now(),
    expect: { isCa: false, curve: 'P-256', sans: ingressHostnames(ctx), issuedBy: ca.certPem },
  });
  if (!verdict.ok) return false;
  const secret = await ctx.kube.get('secret', TLS_SECRET, EMISSARY_NAMESPACE);
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  if (secret?.data?.['tls.crt'] !== b64(verdict.pair.certPem) || secret.data['tls.key'] !== b64(verdict.pair.keyPem)) return false;
  return `secret ${TLS_SECRET} holds the current certificate for ${ingressHostnames(ctx).join(', ')}`;
}

function tlsSecretTask(ctx: LabContext): Action {
  const files = keyPairPaths(ctx.paths.pki, INGRESS_NAME);
  return {
    type: 'task',
    title: `Issue the ingress certificate for ${ingressHostnames(ctx).join(', ')} from the lab CA and store it as secret ${EMISSARY_NAMESPACE}/${TLS_SECRET}`,
    // The learner's equivalent: `kubectl create secret tls … --dry-run=client -o yaml | kubectl apply -f -`.
    equivalent: [
      ctx.kube.kubectl('create', 'secret', 'tls', TLS_SECRET, '--cert', files.certPath, '--key', files.keyPath, '--namespace', EMISSARY_NAMESPACE, '--dry-run=client', '--output', 'yaml'),
      ctx.kube.kubectl('apply', '-f', '-'),
    ],
    pipeline: true,
    async run(ctx) {
      const cert = await ensureIngressCert(ctx.paths.pki, ingressHostnames(ctx), { rotate: ctx.flags.rotate, now: ctx.now() });
      if (cert.generated) ctx.ui.detail(`new ingress certificate: ${cert.reason}`);
      const yaml = secretManifest(readFileSync(cert.certPath, 'utf8'), readFileSync(cert.keyPath, 'utf8'));
      // The manifest holds the private key: it goes to kubectl on stdin only, never into argv, plans or logs.
      await ctx.exec.run(ctx.kube.kubectl('apply', '-f', '-'), { input: yaml });
    },
  };
}

export const steps: Step[] = [
  {
    id: 'namespace',
    title: 'Create namespace emissary with Linkerd injection on',
    actions: (ctx) => [{ type: 'exec', argv: ctx.kube.kubectl('apply', '-f', manifest('namespace.yaml')) }],
  },
  {
    id: 'crds',
    title: `Install the Emissary ${emissary.version} CRDs`,
    satisfied: (ctx) => releaseUpToDate(ctx, RELEASES.crds),
    actions: (ctx) => [
      {
        type: 'exec',
        why: 'v3alpha1 CRDs only: 4.x needs no conversion webhook (no emissary-apiext).',
        argv: ctx.kube.helm(
          'upgrade', '--install', RELEASES.crds.name, RELEASES.crds.chart,
          '--version', emissary.version, '--namespace', EMISSARY_NAMESPACE, '--wait', '--timeout', HELM_TIMEOUT,
        ),
        timeoutMs: 6 * 60_000,
      },
      {
        type: 'wait',
        what: 'the Listener, Host and Mapping CRDs to be established',
        budgetMs: CRD_BUDGET_MS,
        argv: ctx.kube.kubectl('wait', '--for=condition=Established', ...CRDS_WE_USE, `--timeout=${CRD_BUDGET_MS / 1000}s`),
        lastState: ctx.kube.kubectl('get', 'customresourcedefinitions', '--selector', 'app.kubernetes.io/part-of=emissary-ingress'),
      },
    ],
  },
  {
    id: 'install',
    title: `Install Emissary-ingress ${emissary.version} (one replica, NodePorts 30080/30443)`,
    satisfied: (ctx) => releaseUpToDate(ctx, RELEASES.emissary, parse(readFileSync(manifest('values.yaml'), 'utf8'))),
    actions: (ctx) => [
      {
        type: 'exec',
        argv: ctx.kube.helm(
          'upgrade', '--install', RELEASES.emissary.name, RELEASES.emissary.chart,
          '--version', emissary.version, '--namespace', EMISSARY_NAMESPACE, '--values', manifest('values.yaml'),
        ),
        timeoutMs: 2 * 60_000,
      },
    ],
  },
  {
    id: 'tls-secret',
    title: `Store the ingress certificate as secret ${TLS_SECRET}`,
    satisfied: secretUpToDate,
    actions: (ctx) => [tlsSecretTask(ctx)],
  },
  {
    id: 'routes',
    title: 'Apply Listeners (8080 HTTP, 8443 HTTPS), Host and Mapping',
    actions: (ctx) => [
      { type: 'exec', argv: ctx.kube.kubectl('apply', '-f', manifest('listeners.yaml')) },
      ctx.config.appHost === SOURCE_APP_HOST
        ? { type: 'exec', argv: ctx.kube.kubectl('apply', '-f', manifest('app-host.yaml')) }
        : {
            type: 'exec',
            why: `manifests/emissary/app-host.yaml with hostname ${ctx.config.appHost} (LAB_APP_HOST)`,
            argv: ctx.kube.kubectl('apply', '-f', '-'),
            stdinText: appHostYaml(ctx.config.appHost),
          },
    ],
  },
  {
    id: 'wait',
    title: 'Wait for Emissary-ingress to roll out',
    actions: (ctx) => [rolloutWait(ctx, EMISSARY_NAMESPACE, EMISSARY_NAME, ROLLOUT_BUDGET_MS)],
  },
  restartUnmeshedStep({ id: 'mesh', namespace: EMISSARY_NAMESPACE, deployments: [EMISSARY_NAME], budgetMs: ROLLOUT_BUDGET_MS }),
];
