// Lab 02 steps: identity PKI, Gateway API CRDs, Linkerd CRDs and control plane (Helm, our certificates), viz, a mesh probe.
import type { Action, LabContext, Step } from '../../scripts/engine/types.ts';
import { labFile } from '../../scripts/lib/paths.ts';
import { gatewayApi, linkerd } from '../pins.ts';
import { anchorFiles, identityPkiStep, issuerFiles, readLocalCert, sameCertificates } from './pki.ts';
import { containsValues, findRelease, releaseProblem, releaseValues, valuesFile, type ChartRef } from './helm.ts';
import { meshProbeStep } from './probe.ts';

export const LINKERD_NAMESPACE = 'linkerd';
export const VIZ_NAMESPACE = 'linkerd-viz';
export const CONTROL_PLANE_VALUES = labFile('manifests', 'linkerd', 'control-plane.yaml');
export const VIZ_VALUES = labFile('manifests', 'linkerd', 'viz.yaml');

/** What standard-install.yaml v1.2.1 creates (config/crd/standard). Linkerd itself needs httproutes and grpcroutes. */
export const GATEWAY_API_CRDS = [
  'gatewayclasses.gateway.networking.k8s.io',
  'gateways.gateway.networking.k8s.io',
  'grpcroutes.gateway.networking.k8s.io',
  'httproutes.gateway.networking.k8s.io',
  'referencegrants.gateway.networking.k8s.io',
] as const;
export const BUNDLE_VERSION_ANNOTATION = 'gateway.networking.k8s.io/bundle-version';

export const CHARTS = {
  crds: { release: 'linkerd-crds', chart: 'linkerd-crds', namespace: LINKERD_NAMESPACE, version: linkerd.chartVersion },
  controlPlane: { release: 'linkerd-control-plane', chart: 'linkerd-control-plane', namespace: LINKERD_NAMESPACE, version: linkerd.chartVersion },
  viz: { release: 'linkerd-viz', chart: 'linkerd-viz', namespace: VIZ_NAMESPACE, version: linkerd.chartVersion },
} as const satisfies Record<string, ChartRef>;

/** Where Linkerd keeps what it was installed with: the anchor bundle (public) and the issuer (with its key). */
export const TRUST_ROOTS = { configMap: 'linkerd-identity-trust-roots', key: 'ca-bundle.crt' } as const;
export const ISSUER_SECRET = { name: 'linkerd-identity-issuer', key: 'crt.pem' } as const;

/** helm's own --timeout is the budget; the exec seam's backstop sits past it so helm reports the timeout itself. */
const HELM_TIMEOUT = '5m';
const HELM_BACKSTOP_MS = 6 * 60_000;

function helmInstall(ctx: LabContext, ref: ChartRef, extra: string[]): string[] {
  return ctx.kube.helm('upgrade', '--install', ref.release, ref.chart, '--repo', linkerd.helmRepo, '--version', ref.version, '--namespace', ref.namespace, ...extra);
}

const gatewayApiStep: Step = {
  id: 'gateway-api',
  title: `Install the Gateway API CRDs ${gatewayApi.version}`,
  async satisfied(ctx) {
    for (const name of GATEWAY_API_CRDS) {
      const crd = await ctx.kube.get('customresourcedefinition', name);
      if (crd?.metadata.annotations?.[BUNDLE_VERSION_ANNOTATION] !== gatewayApi.version) return false;
    }
    return `the ${GATEWAY_API_CRDS.length} Gateway API CRDs of bundle ${gatewayApi.version} are installed`;
  },
  actions: (ctx) => [
    {
      type: 'exec',
      why: 'Server-side apply: the API server merges the CRDs itself and keeps no 256 KiB last-applied annotation.',
      argv: ctx.kube.kubectl('apply', '--server-side', '-f', gatewayApi.url),
    },
    {
      type: 'wait',
      what: 'the Gateway API CRDs to be established',
      budgetMs: 60_000,
      argv: ctx.kube.kubectl('wait', '--for=condition=Established', ...GATEWAY_API_CRDS.map((n) => `crd/${n}`), '--timeout=60s'),
      lastState: ctx.kube.kubectl('get', 'crd', ...GATEWAY_API_CRDS),
    },
  ],
};

const linkerdCrdsStep: Step = {
  id: 'linkerd-crds',
  title: `Install the Linkerd CRDs (chart linkerd-crds ${linkerd.chartVersion})`,
  async satisfied(ctx) {
    const problem = releaseProblem(await findRelease(ctx, CHARTS.crds), CHARTS.crds);
    return problem ? false : `Helm release linkerd-crds runs chart linkerd-crds-${linkerd.chartVersion}`;
  },
  actions: (ctx) => [
    {
      type: 'exec',
      why: 'Linkerd 2.20 leaves Gateway API CRDs alone (installGatewayAPI=false): they came from the step before.',
      argv: helmInstall(ctx, CHARTS.crds, ['--create-namespace', '--wait']),
      timeoutMs: HELM_BACKSTOP_MS,
    },
  ],
};

/** Why the running control plane differs from what the lab would install now; undefined when it is the same. */
async function controlPlaneDrift(ctx: LabContext): Promise<string | undefined> {
  const problem = releaseProblem(await findRelease(ctx, CHARTS.controlPlane), CHARTS.controlPlane);
  if (problem) return problem;
  const anchor = readLocalCert(anchorFiles(ctx).certPath);
  const issuer = readLocalCert(issuerFiles(ctx).certPath);
  if (!anchor || !issuer) return 'the identity certificates in .lab/pki are missing';
  const roots = await ctx.kube.get('configmap', TRUST_ROOTS.configMap, LINKERD_NAMESPACE);
  if (!sameCertificates(roots?.data?.[TRUST_ROOTS.key] ?? '', anchor)) return 'the cluster trusts another anchor than .lab/pki';
  const secret = await ctx.kube.get('secret', ISSUER_SECRET.name, LINKERD_NAMESPACE);
  const clusterIssuer = Buffer.from(secret?.data?.[ISSUER_SECRET.key] ?? '', 'base64').toString('utf8');
  if (!sameCertificates(clusterIssuer, issuer)) return 'the cluster holds another issuer than .lab/pki';
  if (!containsValues(await releaseValues(ctx, CHARTS.controlPlane), valuesFile(CONTROL_PLANE_VALUES))) return 'manifests/linkerd/control-plane.yaml changed';
  return undefined;
}

const controlPlaneStep: Step = {
  id: 'control-plane',
  title: `Install the Linkerd control plane with the lab's certificates (chart ${linkerd.chartVersion})`,
  async satisfied(ctx) {
    const drift = await controlPlaneDrift(ctx);
    return drift ? false : 'the control plane runs the pinned chart with the trust anchor and issuer from .lab/pki';
  },
  actions: (ctx) => [
    {
      type: 'exec',
      why: 'Helm cannot make certificates: the anchor and the issuer (with its key) go in as files from .lab/pki.',
      argv: helmInstall(ctx, CHARTS.controlPlane, [
        ...['--set-file', `identityTrustAnchorsPEM=${anchorFiles(ctx).certPath}`],
        ...['--set-file', `identity.issuer.tls.crtPEM=${issuerFiles(ctx).certPath}`],
        ...['--set-file', `identity.issuer.tls.keyPEM=${issuerFiles(ctx).keyPath}`],
        ...['--values', CONTROL_PLANE_VALUES, '--wait', '--timeout', HELM_TIMEOUT],
      ]),
      timeoutMs: HELM_BACKSTOP_MS,
    },
  ],
};

const vizStep: Step = {
  id: 'viz',
  title: `Install linkerd-viz (chart ${linkerd.chartVersion})`,
  async satisfied(ctx) {
    // A new trust anchor leaves viz's proxies trusting the old one until they restart.
    if (ctx.flags.rotate) return false;
    if (releaseProblem(await findRelease(ctx, CHARTS.viz), CHARTS.viz)) return false;
    if (!containsValues(await releaseValues(ctx, CHARTS.viz), valuesFile(VIZ_VALUES))) return false;
    return `Helm release linkerd-viz runs chart linkerd-viz-${linkerd.chartVersion}`;
  },
  actions(ctx) {
    const actions: Action[] = [
      {
        type: 'exec',
        argv: helmInstall(ctx, CHARTS.viz, ['--create-namespace', '--values', VIZ_VALUES, '--wait', '--timeout', HELM_TIMEOUT]),
        timeoutMs: HELM_BACKSTOP_MS,
      },
    ];
    if (ctx.flags.rotate) {
      actions.push(
        {
          type: 'exec',
          why: '--rotate: proxies read the trust anchor when they start, so viz restarts under the new one.',
          argv: ctx.kube.kubectl('rollout', 'restart', 'deployment', '--namespace', VIZ_NAMESPACE),
        },
        {
          type: 'wait',
          what: 'linkerd-viz deployments to be available again',
          budgetMs: 180_000,
          argv: ctx.kube.kubectl('wait', '--for=condition=Available', 'deployment', '--all', '--namespace', VIZ_NAMESPACE, '--timeout=180s'),
          lastState: ctx.kube.kubectl('get', 'pods', '--namespace', VIZ_NAMESPACE, '-o', 'wide'),
        },
      );
    }
    return actions;
  },
};

export const steps: Step[] = [identityPkiStep, gatewayApiStep, linkerdCrdsStep, controlPlaneStep, vizStep, meshProbeStep];
