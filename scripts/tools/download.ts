// Fetches a pinned tool into the per-user cache, verified by sha256, and records what it trusted in the lock file.
import { createHash } from 'node:crypto';
import { createWriteStream, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { EnvironmentError, UserError } from '../lib/errors.ts';
import type { Exec } from '../lib/exec.ts';
import { writeFileAtomic } from '../lib/fsutil.ts';
import { labFile, toolCacheDir } from '../lib/paths.ts';
import { platformKey, platforms, toolNames, tools, type Platform, type PlatformKey, type ToolName, type ToolSpec } from './versions.ts';

export type DigestSource = 'pinned' | 'published' | 'github-digest';

export interface LockEntry {
  sha256: string;
  /** The upstream URL, never the mirror: the lock names what was verified, not where it was copied from. */
  url: string;
  source: DigestSource;
}

/** tool → version → os-arch → entry. */
export type ToolLock = Partial<Record<ToolName, Record<string, Partial<Record<PlatformKey, LockEntry>>>>>;

export interface DownloadOptions {
  env?: NodeJS.ProcessEnv;
  /** Runs `tar` for archives; nothing else is spawned. */
  exec: Exec;
  /** Committed lock whose digests count as pinned; default scripts/tools/tools.lock.json, null to ignore it. */
  repoLock?: string | null;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface InstalledTool {
  path: string;
  sha256: string;
  url: string;
  source: DigestSource;
}

const SMALL_FETCH_MS = 30_000;
const STALE_PARTIAL_MS = 24 * 3_600_000;

/** The committed lock `lab tools lock` writes; its digests are as good as the ones in versions.ts. */
export const repoLockPath = labFile('scripts', 'tools', 'tools.lock.json');

export function lockFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(toolCacheDir(env), 'tools.lock.json');
}

export function cachedBinaryPath(spec: ToolSpec, platform: Platform, env: NodeJS.ProcessEnv = process.env): string {
  return join(toolCacheDir(env), spec.name, spec.version, platformKey(platform), spec.name);
}

/** LAB_TOOLS_MIRROR (an instructor's offline mirror) replaces scheme and host, keeping the upstream path. */
export function mirrorUrl(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const mirror = env.LAB_TOOLS_MIRROR?.trim();
  if (!mirror) return url;
  let base: URL;
  try {
    base = new URL(mirror);
  } catch {
    base = new URL('invalid:');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new UserError(`LAB_TOOLS_MIRROR=${mirror} is not an http(s) URL`, 'set it to the mirror root, e.g. LAB_TOOLS_MIRROR=http://192.168.1.10:8080');
  }
  const upstream = new URL(url);
  return `${mirror.replace(/\/+$/, '')}${upstream.pathname}${upstream.search}`;
}

export function readLock(path: string): ToolLock {
  if (!existsSync(path)) return {};
  try {
    const lock = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (lock && typeof lock === 'object' && !Array.isArray(lock)) return lock as ToolLock;
  } catch {
    // Falls through to the same error as a non-object.
  }
  throw new UserError(`${path} is not a valid tool lock file`, 'delete it (the cache lock is rebuilt on the next install) or restore it from git');
}

function updateLock(path: string, update: (lock: ToolLock) => void): void {
  const lock = readLock(path);
  update(lock);
  writeFileAtomic(path, JSON.stringify(lock, null, 2) + '\n');
}

function setEntry(lock: ToolLock, spec: ToolSpec, key: PlatformKey, entry: LockEntry): void {
  const byVersion = (lock[spec.name] ??= {});
  (byVersion[spec.version] ??= {})[key] = entry;
}

function preseedHint(spec: ToolSpec, platform: Platform, env: NodeJS.ProcessEnv): string {
  const inside = spec.archive ? ` (the ${spec.archive.member(platform.os, platform.arch)} inside the archive)` : '';
  return (
    `fetch ${spec.url(platform.os, platform.arch)} on a machine with network access, check its sha256, and copy the binary${inside} ` +
    `to ${cachedBinaryPath(spec, platform, env)} (chmod 755); or set LAB_TOOLS_MIRROR to an offline mirror serving the same paths, ` +
    `e.g. LAB_TOOLS_MIRROR=http://192.168.1.10:8080`
  );
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** GET with redirects followed; any failure becomes an EnvironmentError naming the URL and the way round it. */
async function get(url: string, what: string, hint: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs), headers });
  } catch (error) {
    throw new EnvironmentError(`could not download ${what} from ${url}: ${describeFetchError(error)}`, hint);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new EnvironmentError(`could not download ${what} from ${url}: HTTP ${response.status} ${response.statusText}`.trimEnd(), hint);
  }
  return response;
}

async function getText(url: string, what: string, hint: string, timeoutMs: number, headers?: Record<string, string>): Promise<string> {
  const response = await get(url, what, hint, timeoutMs, headers);
  try {
    return await response.text();
  } catch (error) {
    throw new EnvironmentError(`could not download ${what} from ${url}: ${describeFetchError(error)}`, hint);
  }
}

/** Accepts "<hex>" (kubectl) and "<hex>  <file>" (shasum, kind and helm), refusing a digest for another file. */
export function parseChecksumFile(text: string, fileName: string, url: string): string {
  for (const line of text.split('\n')) {
    const [hex, name] = line.trim().split(/\s+/);
    if (!hex) continue;
    if (name !== undefined && basename(name.replace(/^\*/, '')) !== fileName) continue;
    if (/^[0-9a-fA-F]{64}$/.test(hex)) return hex.toLowerCase();
  }
  throw new EnvironmentError(`${url} does not hold a sha256 digest for ${fileName}`, 'check that LAB_TOOLS_MIRROR (if set) serves the upstream checksum files unchanged');
}

async function githubAssetDigest(apiUrl: string, asset: string, hint: string, env: NodeJS.ProcessEnv): Promise<string> {
  const url = mirrorUrl(apiUrl, env);
  const text = await getText(url, 'the GitHub release metadata', hint, SMALL_FETCH_MS, {
    accept: 'application/vnd.github+json',
    'user-agent': 'edge-to-mesh-lab',
  });
  let release: { assets?: Array<{ name?: unknown; digest?: unknown }> };
  try {
    release = JSON.parse(text);
  } catch {
    throw new EnvironmentError(`${url} did not return JSON release metadata`, hint);
  }
  const found = release.assets?.find((a) => a.name === asset);
  const match = typeof found?.digest === 'string' ? /^sha256:([0-9a-fA-F]{64})$/.exec(found.digest) : null;
  if (!match) throw new EnvironmentError(`${url} lists no sha256 digest for ${asset}`, hint);
  return match[1]!.toLowerCase();
}

function unpinnedError(spec: ToolSpec, platform: Platform, apiUrl: string, env: NodeJS.ProcessEnv): EnvironmentError {
  const key = platformKey(platform);
  return new EnvironmentError(
    `${spec.name} ${spec.version} has no pinned sha256 for ${key}, so the lab refuses to download it unverified ` +
      `(Linkerd stopped publishing .sha256 files after edge-25.9.3). ` +
      `Set LAB_TRUST_GITHUB_DIGEST=1 to trust GitHub's own asset digest from ${apiUrl}; it is then recorded in ${lockFilePath(env)}.`,
    `to pin it, add the hex digest to scripts/tools/versions.ts (tools.${spec.name}.checksum.sha256['${key}']), ` +
      'or run `lab tools lock` on a networked machine and commit scripts/tools/tools.lock.json',
  );
}

/** The digest the download must have, learnt before a single byte of the binary is fetched. */
export async function expectedDigest(
  spec: ToolSpec,
  platform: Platform,
  options: { env?: NodeJS.ProcessEnv; repoLock?: string | null; trustGithub?: boolean } = {},
): Promise<{ sha256: string; source: DigestSource }> {
  const env = options.env ?? process.env;
  const key = platformKey(platform);
  const pinned = spec.checksum.kind === 'pinned' ? spec.checksum.sha256[key] : undefined;
  if (pinned) return { sha256: pinned.toLowerCase(), source: 'pinned' };
  const committedLock = options.repoLock === null ? {} : readLock(options.repoLock ?? repoLockPath);
  const committed = committedLock[spec.name]?.[spec.version]?.[key];
  if (committed?.sha256 && /^[0-9a-fA-F]{64}$/.test(committed.sha256)) return { sha256: committed.sha256.toLowerCase(), source: 'pinned' };

  const hint = preseedHint(spec, platform, env);
  if (spec.checksum.kind === 'published') {
    const upstream = spec.checksum.url(platform.os, platform.arch);
    const text = await getText(mirrorUrl(upstream, env), `the published checksum of ${spec.name} ${spec.version}`, hint, SMALL_FETCH_MS);
    return { sha256: parseChecksumFile(text, basename(new URL(spec.url(platform.os, platform.arch)).pathname), upstream), source: 'published' };
  }
  const apiUrl = spec.checksum.githubRelease;
  if (!apiUrl) {
    throw new EnvironmentError(`${spec.name} ${spec.version} has no pinned sha256 for ${key}`, `add the hex digest to scripts/tools/versions.ts (tools.${spec.name}.checksum.sha256['${key}'])`);
  }
  if (!(options.trustGithub ?? env.LAB_TRUST_GITHUB_DIGEST === '1')) throw unpinnedError(spec, platform, apiUrl, env);
  const asset = basename(new URL(spec.url(platform.os, platform.arch)).pathname);
  return { sha256: await githubAssetDigest(apiUrl, asset, hint, env), source: 'github-digest' };
}

/** Interrupted runs (Ctrl-C mid-download) can leave a staging dir behind; old ones are swept on the next download. */
function sweepStalePartials(cache: string): void {
  for (const name of readdirSync(cache)) {
    if (!name.startsWith('.partial-')) continue;
    const path = join(cache, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_PARTIAL_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process may be sweeping the same dir.
    }
  }
}

/** Downloads, verifies and installs one tool; on any failure the cache is left as it was. */
export async function downloadTool(spec: ToolSpec, platform: Platform, options: DownloadOptions): Promise<InstalledTool> {
  const env = options.env ?? process.env;
  const upstream = spec.url(platform.os, platform.arch);
  const url = mirrorUrl(upstream, env);
  const dest = cachedBinaryPath(spec, platform, env);
  const hint = preseedHint(spec, platform, env);
  const expected = await expectedDigest(spec, platform, { env, repoLock: options.repoLock });

  const cache = toolCacheDir(env);
  mkdirSync(cache, { recursive: true });
  sweepStalePartials(cache);
  // Staging lives inside the cache so the final rename stays on one filesystem and is atomic.
  const staging = mkdtempSync(join(cache, `.partial-${spec.name}-`));
  let createdDir: string | undefined;
  try {
    options.log?.(`downloading ${spec.name} ${spec.version} (${platformKey(platform)}) from ${url}`);
    const response = await get(url, `${spec.name} ${spec.version}`, hint, options.timeoutMs ?? 600_000);
    const download = join(staging, 'download');
    const hash = createHash('sha256');
    try {
      const body = response.body ? Readable.fromWeb(response.body as WebReadableStream<Uint8Array>) : Readable.from([]);
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(download, { mode: 0o600 }),
      );
    } catch (error) {
      throw new EnvironmentError(`could not download ${spec.name} ${spec.version} from ${url}: ${describeFetchError(error)}`, hint);
    }
    const actual = hash.digest('hex');
    if (actual !== expected.sha256) {
      throw new EnvironmentError(
        `checksum mismatch for ${url}: expected sha256 ${expected.sha256} (${expected.source}), got ${actual}`,
        'the download is corrupt or was changed upstream; nothing was installed. Retry, and if it persists check LAB_TOOLS_MIRROR or your proxy',
      );
    }

    let binary = download;
    if (spec.archive) {
      const member = spec.archive.member(platform.os, platform.arch);
      await options.exec.run(['tar', '-xzf', download, '-C', staging, member], { quiet: true, timeoutMs: 120_000 });
      binary = join(staging, member);
      if (!existsSync(binary)) throw new EnvironmentError(`${url} does not contain ${member}`, hint);
    }
    chmodSync(binary, 0o755);
    createdDir = mkdirSync(dirname(dest), { recursive: true });
    renameSync(binary, dest);
    try {
      updateLock(lockFilePath(env), (lock) => setEntry(lock, spec, platformKey(platform), { sha256: expected.sha256, url: upstream, source: expected.source }));
    } catch (error) {
      // An unrecorded binary would be trusted later without its provenance: take it back out.
      rmSync(dest, { force: true });
      throw error;
    }
    createdDir = undefined;
    return { path: dest, sha256: expected.sha256, url: upstream, source: expected.source };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    if (createdDir) rmSync(createdDir, { recursive: true, force: true });
  }
}

/** `lab tools lock`: learn every platform's digest (GitHub's digest where nothing is published) and write the committable lock. */
export async function lockTools(options: { env?: NodeJS.ProcessEnv; path?: string; log?: (line: string) => void } = {}): Promise<ToolLock> {
  const env = options.env ?? process.env;
  const path = options.path ?? repoLockPath;
  const entries: Array<[ToolSpec, PlatformKey, LockEntry]> = [];
  for (const name of toolNames) {
    const spec = tools[name];
    for (const platform of platforms) {
      // The lock being written is not consulted: re-running it must re-learn digests, not copy itself.
      const digest = await expectedDigest(spec, platform, { env, repoLock: null, trustGithub: true });
      options.log?.(`${spec.name} ${spec.version} ${platformKey(platform)}: ${digest.sha256} (${digest.source})`);
      entries.push([spec, platformKey(platform), { sha256: digest.sha256, url: spec.url(platform.os, platform.arch), source: digest.source }]);
    }
  }
  updateLock(path, (lock) => {
    for (const [spec, key, entry] of entries) setEntry(lock, spec, key, entry);
  });
  return readLock(path);
}
