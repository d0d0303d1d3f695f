// Downloading pinned tools from a local mirror: digest checks, clean failure, helm extraction, linkerd's GitHub fallback.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExec } from '../../scripts/lib/exec.ts';
import { EnvironmentError } from '../../scripts/lib/errors.ts';
import { downloadTool, lockFilePath, lockTools, mirrorUrl, parseChecksumFile, type ToolLock } from '../../scripts/tools/download.ts';
import { platforms, tools, type Platform } from '../../scripts/tools/versions.ts';
import { closedPortUrl, sha256, startMirror, type Mirror } from './mirror.ts';

const linux: Platform = { os: 'linux', arch: 'amd64' };
const exec = createExec();
const KIND_BIN = '/dl/v0.31.0/kind-linux-amd64';
const KIND_SUM = '/kubernetes-sigs/kind/releases/download/v0.31.0/kind-linux-amd64.sha256sum';
const kindBody = '#!/bin/sh\necho "kind v0.31.0 go1.25.5 linux/amd64"\n';

let dir: string;
let cache: string;
let mirror: Mirror;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'e2m-tools-'));
  cache = join(dir, 'cache');
  mkdirSync(cache);
  mirror = await startMirror();
  env = { PATH: '/usr/bin:/bin', LAB_TOOLS_CACHE: cache, LAB_TOOLS_MIRROR: mirror.url };
});

afterEach(async () => {
  await mirror.close();
  rmSync(dir, { recursive: true, force: true });
});

function serveKind(body: string, digestOf: string = body): void {
  // kind.sigs.k8s.io/dl redirects to the GitHub release asset upstream; the mirror does the same.
  mirror.routes.set(KIND_BIN, { redirect: '/kubernetes-sigs/kind/releases/download/v0.31.0/kind-linux-amd64' });
  mirror.routes.set('/kubernetes-sigs/kind/releases/download/v0.31.0/kind-linux-amd64', { body });
  mirror.routes.set(KIND_SUM, { body: `${sha256(digestOf)}  kind-linux-amd64\n` });
}

async function failure(promise: Promise<unknown>): Promise<EnvironmentError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EnvironmentError);
  return error as EnvironmentError;
}

describe('downloadTool', () => {
  it('accepts a binary whose sha256 matches, installs it 0755 and records the digest in the lock', async () => {
    serveKind(kindBody);
    const installed = await downloadTool(tools.kind, linux, { env, exec, repoLock: null });

    const dest = join(cache, 'kind', 'v0.31.0', 'linux-amd64', 'kind');
    expect(installed).toEqual({ path: dest, sha256: sha256(kindBody), url: 'https://kind.sigs.k8s.io/dl/v0.31.0/kind-linux-amd64', source: 'published' });
    expect(readFileSync(dest, 'utf8')).toBe(kindBody);
    expect(statSync(dest).mode & 0o777).toBe(0o755);
    expect(execFileSync(dest, ['version'], { encoding: 'utf8' })).toBe('kind v0.31.0 go1.25.5 linux/amd64\n');
    const lock = JSON.parse(readFileSync(lockFilePath(env), 'utf8')) as ToolLock;
    expect(lock.kind?.['v0.31.0']?.['linux-amd64']).toEqual({ sha256: sha256(kindBody), url: 'https://kind.sigs.k8s.io/dl/v0.31.0/kind-linux-amd64', source: 'published' });
    expect(readdirSync(cache).sort()).toEqual(['kind', 'tools.lock.json']);
    expect(mirror.requests).toEqual([KIND_SUM, KIND_BIN, '/kubernetes-sigs/kind/releases/download/v0.31.0/kind-linux-amd64']);
  });

  it('rejects a corrupted binary, naming both digests, and leaves nothing in the cache', async () => {
    serveKind(kindBody + 'tampered', kindBody);
    const error = await failure(downloadTool(tools.kind, linux, { env, exec, repoLock: null }));

    expect(error.message).toContain(`checksum mismatch for ${mirror.url}${KIND_BIN}`);
    expect(error.message).toContain(`expected sha256 ${sha256(kindBody)}`);
    expect(error.message).toContain(`got ${sha256(kindBody + 'tampered')}`);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('refuses to download when the published checksum is missing (404), caching nothing', async () => {
    serveKind(kindBody);
    mirror.routes.delete(KIND_SUM);
    const error = await failure(downloadTool(tools.kind, linux, { env, exec, repoLock: null }));

    expect(error.message).toBe(`could not download the published checksum of kind v0.31.0 from ${mirror.url}${KIND_SUM}: HTTP 404 Not Found`);
    expect(mirror.requests).toEqual([KIND_SUM]);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('names the URL and how to pre-seed the cache when the server is down', async () => {
    const down = await closedPortUrl();
    const error = await failure(downloadTool(tools.kind, linux, { env: { ...env, LAB_TOOLS_MIRROR: down }, exec, repoLock: null }));

    expect(error.message).toBe(`could not download the published checksum of kind v0.31.0 from ${down}${KIND_SUM}: ECONNREFUSED`);
    expect(error.hint).toContain('fetch https://kind.sigs.k8s.io/dl/v0.31.0/kind-linux-amd64 on a machine with network access');
    expect(error.hint).toContain(`copy the binary to ${join(cache, 'kind', 'v0.31.0', 'linux-amd64', 'kind')} (chmod 755)`);
    expect(error.hint).toContain('LAB_TOOLS_MIRROR');
    expect(readdirSync(cache)).toEqual([]);
  });

  it('names the binary URL when the binary itself cannot be fetched', async () => {
    serveKind(kindBody);
    mirror.routes.set('/kubernetes-sigs/kind/releases/download/v0.31.0/kind-linux-amd64', { status: 503, body: 'busy' });
    const error = await failure(downloadTool(tools.kind, linux, { env, exec, repoLock: null }));

    expect(error.message).toBe(`could not download kind v0.31.0 from ${mirror.url}${KIND_BIN}: HTTP 503 Service Unavailable`);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('extracts helm from its tarball and checks the tarball against the .sha256sum', async () => {
    const src = join(dir, 'src');
    const helmBody = '#!/bin/sh\necho v3.19.5+g3d8990f\n';
    mkdirSync(join(src, 'linux-amd64'), { recursive: true });
    writeFileSync(join(src, 'linux-amd64', 'helm'), helmBody, { mode: 0o644 });
    writeFileSync(join(src, 'linux-amd64', 'LICENSE'), 'Apache-2.0');
    const tarball = join(dir, 'helm.tar.gz');
    execFileSync('tar', ['-czf', tarball, '-C', src, 'linux-amd64']);
    const bytes = readFileSync(tarball);
    mirror.routes.set('/helm-v3.19.5-linux-amd64.tar.gz', { body: bytes });
    mirror.routes.set('/helm-v3.19.5-linux-amd64.tar.gz.sha256sum', { body: `${sha256(bytes)}  helm-v3.19.5-linux-amd64.tar.gz\n` });

    const installed = await downloadTool(tools.helm, linux, { env, exec, repoLock: null });

    const dest = join(cache, 'helm', 'v3.19.5', 'linux-amd64', 'helm');
    expect(installed.path).toBe(dest);
    expect(installed.sha256).toBe(sha256(bytes));
    expect(readFileSync(dest, 'utf8')).toBe(helmBody);
    expect(statSync(dest).mode & 0o777).toBe(0o755);
    expect(readdirSync(join(cache, 'helm', 'v3.19.5', 'linux-amd64'))).toEqual(['helm']);
    expect(readdirSync(cache).sort()).toEqual(['helm', 'tools.lock.json']);
  });

  it('leaves nothing behind when the helm tarball lacks the binary', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'darwin-arm64'), { recursive: true });
    writeFileSync(join(src, 'darwin-arm64', 'helm'), 'wrong platform');
    const tarball = join(dir, 'helm.tar.gz');
    execFileSync('tar', ['-czf', tarball, '-C', src, 'darwin-arm64']);
    const bytes = readFileSync(tarball);
    mirror.routes.set('/helm-v3.19.5-linux-amd64.tar.gz', { body: bytes });
    mirror.routes.set('/helm-v3.19.5-linux-amd64.tar.gz.sha256sum', { body: `${sha256(bytes)}  helm-v3.19.5-linux-amd64.tar.gz\n` });

    await expect(downloadTool(tools.helm, linux, { env, exec, repoLock: null })).rejects.toThrow(/tar/);
    expect(readdirSync(cache)).toEqual([]);
  });

  describe('linkerd (no published checksums)', () => {
    const ASSET = 'linkerd2-cli-edge-26.6.3-linux-amd64';
    const BIN = `/linkerd/linkerd2/releases/download/edge-26.6.3/${ASSET}`;
    const API = '/repos/linkerd/linkerd2/releases/tags/edge-26.6.3';
    const body = '#!/bin/sh\necho edge-26.6.3\n';

    beforeEach(() => {
      mirror.routes.set(BIN, { body });
      mirror.routes.set(API, {
        body: JSON.stringify({
          tag_name: 'edge-26.6.3',
          assets: [
            { name: 'linkerd2-cli-edge-26.6.3-darwin', digest: `sha256:${sha256('other')}` },
            { name: ASSET, digest: `sha256:${sha256(body)}` },
          ],
        }),
      });
    });

    it('refuses without LAB_TRUST_GITHUB_DIGEST and says how to pin', async () => {
      const error = await failure(downloadTool(tools.linkerd, linux, { env, exec, repoLock: null }));

      expect(error.message).toContain('linkerd edge-26.6.3 has no pinned sha256 for linux-amd64, so the lab refuses to download it unverified');
      expect(error.message).toContain("Set LAB_TRUST_GITHUB_DIGEST=1 to trust GitHub's own asset digest from https://api.github.com/repos/linkerd/linkerd2/releases/tags/edge-26.6.3");
      expect(error.message).toContain(join(cache, 'tools.lock.json'));
      expect(error.hint).toContain('scripts/tools/versions.ts');
      expect(error.hint).toContain('`lab tools lock` on a networked machine and commit scripts/tools/tools.lock.json');
      expect(mirror.requests).toEqual([]);
      expect(readdirSync(cache)).toEqual([]);
    });

    it('accepts GitHub’s asset digest with LAB_TRUST_GITHUB_DIGEST=1 and records it as github-digest', async () => {
      const installed = await downloadTool(tools.linkerd, linux, { env: { ...env, LAB_TRUST_GITHUB_DIGEST: '1' }, exec, repoLock: null });

      expect(installed.source).toBe('github-digest');
      expect(readFileSync(join(cache, 'linkerd', 'edge-26.6.3', 'linux-amd64', 'linkerd'), 'utf8')).toBe(body);
      const lock = JSON.parse(readFileSync(lockFilePath(env), 'utf8')) as ToolLock;
      expect(lock.linkerd?.['edge-26.6.3']?.['linux-amd64']).toEqual({
        sha256: sha256(body),
        url: `https://github.com/linkerd/linkerd2/releases/download/edge-26.6.3/${ASSET}`,
        source: 'github-digest',
      });
      expect(mirror.requests).toEqual([API, BIN]);
    });

    it('still rejects a binary that differs from GitHub’s digest', async () => {
      mirror.routes.set(BIN, { body: body + '# evil' });
      const error = await failure(downloadTool(tools.linkerd, linux, { env: { ...env, LAB_TRUST_GITHUB_DIGEST: '1' }, exec, repoLock: null }));
      expect(error.message).toContain(`expected sha256 ${sha256(body)} (github-digest), got ${sha256(body + '# evil')}`);
      expect(readdirSync(cache)).toEqual([]);
    });

    it('uses a digest from the committed lock as pinned, without asking GitHub', async () => {
      const repoLock = join(dir, 'tools.lock.json');
      writeFileSync(repoLock, JSON.stringify({ linkerd: { 'edge-26.6.3': { 'linux-amd64': { sha256: sha256(body), url: 'x', source: 'github-digest' } } } }));
      const installed = await downloadTool(tools.linkerd, linux, { env, exec, repoLock });
      expect(installed.source).toBe('pinned');
      expect(mirror.requests).toEqual([BIN]);
    });
  });
});

describe('lockTools', () => {
  it('learns every platform’s digest (published, or GitHub’s for linkerd) into the committable lock', async () => {
    const assets: Array<{ name: string; digest: string }> = [];
    for (const { os, arch } of platforms) {
      const key = `${os}-${arch}`;
      mirror.routes.set(`/kubernetes-sigs/kind/releases/download/v0.31.0/kind-${key}.sha256sum`, { body: `${sha256('kind' + key)}  kind-${key}\n` });
      mirror.routes.set(`/release/v1.35.0/bin/${os}/${arch}/kubectl.sha256`, { body: sha256('kubectl' + key) });
      mirror.routes.set(`/helm-v3.19.5-${key}.tar.gz.sha256sum`, { body: `${sha256('helm' + key)}  helm-v3.19.5-${key}.tar.gz\n` });
      assets.push({ name: new URL(tools.linkerd.url(os, arch)).pathname.split('/').pop()!, digest: `sha256:${sha256('linkerd' + key)}` });
    }
    mirror.routes.set('/repos/linkerd/linkerd2/releases/tags/edge-26.6.3', { body: JSON.stringify({ assets }) });
    const path = join(dir, 'tools.lock.json');

    const lock = await lockTools({ env, path });

    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(lock);
    expect(lock.kubectl?.['v1.35.0']?.['darwin-arm64']).toEqual({ sha256: sha256('kubectldarwin-arm64'), url: 'https://dl.k8s.io/release/v1.35.0/bin/darwin/arm64/kubectl', source: 'published' });
    expect(lock.linkerd?.['edge-26.6.3']?.['darwin-amd64']).toEqual({
      sha256: sha256('linkerddarwin-amd64'),
      url: 'https://github.com/linkerd/linkerd2/releases/download/edge-26.6.3/linkerd2-cli-edge-26.6.3-darwin',
      source: 'github-digest',
    });
    expect(Object.keys(lock.helm?.['v3.19.5'] ?? {}).sort()).toEqual(['darwin-amd64', 'darwin-arm64', 'linux-amd64', 'linux-arm64']);
    // Nothing is downloaded: a lock needs digests, not binaries.
    expect(mirror.requests.every((p) => /\.sha256(sum)?$|\/releases\/tags\//.test(p))).toBe(true);
  });
});

describe('URLs and checksum files', () => {
  it('names linkerd assets per platform, darwin amd64 without an arch suffix', () => {
    const base = 'https://github.com/linkerd/linkerd2/releases/download/edge-26.6.3/linkerd2-cli-edge-26.6.3';
    expect(tools.linkerd.url('linux', 'amd64')).toBe(`${base}-linux-amd64`);
    expect(tools.linkerd.url('linux', 'arm64')).toBe(`${base}-linux-arm64`);
    expect(tools.linkerd.url('darwin', 'amd64')).toBe(`${base}-darwin`);
    expect(tools.linkerd.url('darwin', 'arm64')).toBe(`${base}-darwin-arm64`);
  });

  it('LAB_TOOLS_MIRROR replaces scheme and host and keeps the path', () => {
    expect(mirrorUrl(tools.kubectl.url('darwin', 'arm64'), { LAB_TOOLS_MIRROR: 'http://10.0.0.5:8080/' })).toBe('http://10.0.0.5:8080/release/v1.35.0/bin/darwin/arm64/kubectl');
    expect(mirrorUrl(tools.kubectl.url('darwin', 'arm64'), {})).toBe('https://dl.k8s.io/release/v1.35.0/bin/darwin/arm64/kubectl');
    expect(() => mirrorUrl('https://get.helm.sh/x', { LAB_TOOLS_MIRROR: 'ftp://mirror' })).toThrow('LAB_TOOLS_MIRROR=ftp://mirror is not an http(s) URL');
  });

  it('reads bare-hex and shasum-style checksum files, refusing one for another file', () => {
    const hex = 'ab'.repeat(32);
    expect(parseChecksumFile(`${hex}\n`, 'kubectl', 'u')).toBe(hex);
    expect(parseChecksumFile(`${hex.toUpperCase()}  kind-linux-amd64\n`, 'kind-linux-amd64', 'u')).toBe(hex);
    expect(() => parseChecksumFile(`${hex}  kind-darwin-arm64\n`, 'kind-linux-amd64', 'u')).toThrow('u does not hold a sha256 digest for kind-linux-amd64');
    expect(() => parseChecksumFile('<html>', 'kubectl', 'u')).toThrow(EnvironmentError);
  });
});
