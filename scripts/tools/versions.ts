// The pinned toolchain: one table of every CLI the lab drives, where it comes from and why this version.

export type ToolName = 'kind' | 'kubectl' | 'helm' | 'linkerd';
export type Os = 'linux' | 'darwin';
export type Arch = 'amd64' | 'arm64';
export type PlatformKey = `${Os}-${Arch}`;

export interface Platform {
  os: Os;
  arch: Arch;
}

export const platforms: readonly Platform[] = [
  { os: 'linux', arch: 'amd64' },
  { os: 'linux', arch: 'arm64' },
  { os: 'darwin', arch: 'amd64' },
  { os: 'darwin', arch: 'arm64' },
];

export function platformKey(p: Platform): PlatformKey {
  return `${p.os}-${p.arch}`;
}

/** How the expected sha256 of a download is known before the bytes arrive. */
export type ChecksumSpec =
  | {
      kind: 'pinned';
      /** Lowercase hex per platform; a missing entry means "not pinned yet" (see githubRelease). */
      sha256: Partial<Record<PlatformKey, string>>;
      /** Release API URL whose assets[].digest may stand in for a missing pin, only with LAB_TRUST_GITHUB_DIGEST=1. */
      githubRelease?: string;
    }
  | {
      kind: 'published';
      /** A file next to the download holding "<hex>" or "<hex>  <file name>". */
      url(os: Os, arch: Arch): string;
    };

export interface ToolSpec {
  name: ToolName;
  version: string;
  /** One line for the README: why this version and not another. */
  why: string;
  url(os: Os, arch: Arch): string;
  checksum: ChecksumSpec;
  /** Set when the download is an archive; the checksum covers the archive, not the binary. */
  archive?: { type: 'tar.gz'; member(os: Os, arch: Arch): string };
  /** argv[0] is replaced by the binary's path; `match` recognises the pinned version in stdout. */
  versionProbe: { argv: string[]; match: RegExp };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const KIND = 'v0.31.0';
const KUBECTL = 'v1.35.0';
const HELM = 'v3.19.5';
const LINKERD = 'edge-26.6.3';

/** kind v0.31.0's default node (Kubernetes 1.35.0), pinned by digest so a re-pushed tag cannot change the cluster. */
export const kindNodeImage = 'kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f';
/** Helm chart version of linkerd-crds / linkerd-control-plane matching the edge-26.6.3 CLI. */
export const linkerdChartVersion = '2026.6.3';
export const linkerdHelmRepo = 'https://helm.linkerd.io/edge';

export const tools: Readonly<Record<ToolName, ToolSpec>> = {
  kind: {
    name: 'kind',
    version: KIND,
    why: 'Its default node is Kubernetes 1.35.0, the newest version Linkerd 2.20 supports (1.31–1.35).',
    url: (os, arch) => `https://kind.sigs.k8s.io/dl/${KIND}/kind-${os}-${arch}`,
    checksum: {
      kind: 'published',
      url: (os, arch) => `https://github.com/kubernetes-sigs/kind/releases/download/${KIND}/kind-${os}-${arch}.sha256sum`,
    },
    versionProbe: { argv: ['kind', 'version'], match: new RegExp(`^kind ${escape(KIND)}(\\s|$)`, 'm') },
  },
  kubectl: {
    name: 'kubectl',
    version: KUBECTL,
    why: 'Matches the 1.35.0 node; kubectl is only supported within one minor version of the cluster.',
    url: (os, arch) => `https://dl.k8s.io/release/${KUBECTL}/bin/${os}/${arch}/kubectl`,
    checksum: { kind: 'published', url: (os, arch) => `https://dl.k8s.io/release/${KUBECTL}/bin/${os}/${arch}/kubectl.sha256` },
    versionProbe: { argv: ['kubectl', 'version', '--client', '-o', 'json'], match: new RegExp(`"gitVersion"\\s*:\\s*"${escape(KUBECTL)}"`) },
  },
  helm: {
    name: 'helm',
    version: HELM,
    why: "Emissary's OCI charts need Helm ≥ 3.8; it stays on Helm 3 for the --set-file and OCI behaviour the lab text shows.",
    url: (os, arch) => `https://get.helm.sh/helm-${HELM}-${os}-${arch}.tar.gz`,
    checksum: { kind: 'published', url: (os, arch) => `https://get.helm.sh/helm-${HELM}-${os}-${arch}.tar.gz.sha256sum` },
    archive: { type: 'tar.gz', member: (os, arch) => `${os}-${arch}/helm` },
    versionProbe: { argv: ['helm', 'version', '--short'], match: new RegExp(`^${escape(HELM)}(\\+|\\s|$)`, 'm') },
  },
  linkerd: {
    name: 'linkerd',
    version: LINKERD,
    why: 'edge-26.6.3 is Linkerd 2.20 (tag version-2.20), which supports Kubernetes 1.31–1.35.',
    // The darwin amd64 asset predates arm Macs and kept the bare "-darwin" suffix.
    url: (os, arch) =>
      `https://github.com/linkerd/linkerd2/releases/download/${LINKERD}/linkerd2-cli-${LINKERD}-${os === 'darwin' ? (arch === 'amd64' ? 'darwin' : 'darwin-arm64') : `linux-${arch}`}`,
    // Linkerd stopped publishing .sha256 files after edge-25.9.3, so digests must live in this repo.
    // Not filled in yet: they could not be looked up where this was written. Add the hex here
    // (or commit a tools.lock.json from `lab tools lock`) to make the download verifiable offline.
    checksum: {
      kind: 'pinned',
      sha256: {},
      githubRelease: `https://api.github.com/repos/linkerd/linkerd2/releases/tags/${LINKERD}`,
    },
    versionProbe: { argv: ['linkerd', 'version', '--client', '--short'], match: new RegExp(`^${escape(LINKERD)}$`, 'm') },
  },
};

export const toolNames = Object.keys(tools) as ToolName[];

export function isToolName(name: string): name is ToolName {
  return Object.hasOwn(tools, name);
}
