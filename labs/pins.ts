// Pinned versions of what the labs install in the cluster (charts, CRDs, images); tools are in scripts/tools/versions.ts.

/** kind v0.31.0's default node, pinned by digest: Kubernetes 1.35 is the newest Linkerd 2.20 supports. */
export const kindNodeImage =
  'kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f';

/** Gateway API CRDs: Linkerd 2.20 supports 1.2.1–1.5.1 and recommends 1.2.1. */
export const gatewayApi = {
  version: 'v1.2.1',
  url: 'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.2.1/standard-install.yaml',
} as const;

/** Linkerd 2.20 (tag version-2.20 = edge-26.6.3); edge chart versions are YYYY.M.N of the tag. */
export const linkerd = {
  version: 'edge-26.6.3',
  chartVersion: '2026.6.3',
  helmRepo: 'https://helm.linkerd.io/edge',
} as const;

/** Emissary-ingress 4.1.0: the first GA line with multi-arch (amd64 + arm64) images; charts on GHCR only. */
export const emissary = {
  version: '4.1.0',
  crdsChart: 'oci://ghcr.io/emissary-ingress/emissary-crds-chart',
  chart: 'oci://ghcr.io/emissary-ingress/emissary-ingress',
} as const;

/** podinfo 6.14.1: multi-arch, ships curl, serves /headers (shows l5d-client-id). */
export const podinfo = {
  version: '6.14.1',
  image: 'ghcr.io/stefanprodan/podinfo:6.14.1',
} as const;
