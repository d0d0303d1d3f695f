// Finds the binary to run for each pinned tool: override, cache, a matching one on PATH, or a fresh download.
import { accessSync, constants, statSync, realpathSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import type { Exec } from '../lib/exec.ts';
import { cachedBinaryPath, downloadTool } from './download.ts';
import { platforms, platformKey, toolNames, tools, type Arch, type Os, type Platform, type ToolName, type ToolSpec } from './versions.ts';

export type ToolSource = 'override' | 'cache' | 'path';

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  exec: Exec;
  /** Download the pinned version when nothing usable is found. */
  install?: boolean;
  /** Defaults to this machine; tests pin it so they behave the same everywhere. */
  platform?: Platform;
  /** Passed to the downloader: the committed lock, or null to ignore it. */
  repoLock?: string | null;
  log?: (line: string) => void;
}

export interface ResolvedTool {
  name: ToolName;
  version: string;
  path: string;
  source: ToolSource;
  /** True when this call fetched it. */
  downloaded: boolean;
}

export interface ToolStatus {
  name: ToolName;
  version: string;
  source: ToolSource | 'missing';
  path: string | null;
  /** Why a binary on PATH was passed over, e.g. "/usr/local/bin/kind reports kind v0.20.0". */
  note?: string;
}

export function detectPlatform(os: string = process.platform, arch: string = process.arch): Platform {
  const mappedOs: Os | undefined = os === 'linux' ? 'linux' : os === 'darwin' ? 'darwin' : undefined;
  const mappedArch: Arch | undefined = arch === 'x64' ? 'amd64' : arch === 'arm64' ? 'arm64' : undefined;
  if (!mappedOs || !mappedArch) {
    throw new EnvironmentError(
      `this platform (${os}/${arch}) is not supported by the lab's pinned tools`,
      `supported platforms: ${platforms.map(platformKey).join(', ')}; on Windows, run the lab inside WSL2`,
    );
  }
  return { os: mappedOs, arch: mappedArch };
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function overrideVar(name: ToolName): string {
  return `LAB_TOOL_${name.toUpperCase()}`;
}

function fromOverride(spec: ToolSpec, env: NodeJS.ProcessEnv): string | undefined {
  const variable = overrideVar(spec.name);
  const value = env[variable];
  if (!value) return undefined;
  const path = resolve(value);
  if (!isExecutableFile(path)) {
    throw new EnvironmentError(`${variable}=${value} is not an executable file`, `point ${variable} at a ${spec.name} binary, or unset it to use the lab's pinned ${spec.name} ${spec.version}`);
  }
  return path;
}

function onPath(name: string, env: NodeJS.ProcessEnv): string[] {
  const found: string[] = [];
  const real = new Set<string>();
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    // An empty or relative PATH entry means "the current directory", which a lab must not pick tools from.
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (!isExecutableFile(candidate)) continue;
    // /bin and /usr/bin are often one folder: the same binary is named once.
    const target = realpathSync(candidate);
    if (real.has(target)) continue;
    real.add(target);
    found.push(candidate);
  }
  return found;
}

/** The first binary on PATH that reports the pinned version; the others are named in `note`. */
async function fromPath(spec: ToolSpec, env: NodeJS.ProcessEnv, exec: Exec): Promise<{ path?: string; note?: string }> {
  const passedOver: string[] = [];
  for (const candidate of onPath(spec.name, env)) {
    try {
      const result = await exec.run([candidate, ...spec.versionProbe.argv.slice(1)], { quiet: true, timeoutMs: 10_000, reject: false });
      if (result.exitCode === 0 && spec.versionProbe.match.test(result.stdout)) return { path: candidate };
      // kubectl answers in JSON: name the version it reports, not the first line of the document.
      const text = result.stdout.trim() || result.stderr.trim();
      const version = /"gitVersion":\s*"([^"]+)"/.exec(text)?.[1];
      const said = version ?? (text.split('\n')[0]?.slice(0, 120) || `exit code ${result.exitCode}`);
      passedOver.push(`${candidate} reports ${said}`);
    } catch (error) {
      passedOver.push(`${candidate} could not be run (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    }
  }
  return passedOver.length ? { note: `${passedOver.join('; ')}; the lab needs ${spec.name} ${spec.version}` } : {};
}

/** Everything short of downloading: shared by resolveTool and toolStatus so they can never disagree. */
async function locate(spec: ToolSpec, env: NodeJS.ProcessEnv, exec: Exec, platform: Platform): Promise<{ path?: string; source?: ToolSource; note?: string }> {
  const override = fromOverride(spec, env);
  if (override) return { path: override, source: 'override' };
  // Only existence and the exec bit are checked here: the sha256 was verified when it was installed.
  const cached = cachedBinaryPath(spec, platform, env);
  if (isExecutableFile(cached)) return { path: cached, source: 'cache' };
  const found = await fromPath(spec, env, exec);
  return found.path ? { path: found.path, source: 'path' } : { note: found.note };
}

export async function resolveTool(name: ToolName, options: ResolveOptions): Promise<ResolvedTool> {
  const spec = tools[name];
  const env = options.env ?? process.env;
  const platform = options.platform ?? detectPlatform();
  const found = await locate(spec, env, options.exec, platform);
  if (found.path && found.source) return { name, version: spec.version, path: found.path, source: found.source, downloaded: false };
  if (!options.install) {
    const hint = ['run `npx lab tools install` to download the pinned version into the lab cache', found.note].filter(Boolean).join('; ');
    throw new EnvironmentError(`${spec.name} ${spec.version} is not installed; run \`npx lab tools install\``, hint);
  }
  const installed = await downloadTool(spec, platform, { env, exec: options.exec, repoLock: options.repoLock, log: options.log });
  return { name, version: spec.version, path: installed.path, source: 'cache', downloaded: true };
}

/** For `lab tools versions` and doctor: where each tool would come from, without downloading anything. */
export async function toolStatus(options: Omit<ResolveOptions, 'install'>): Promise<ToolStatus[]> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? detectPlatform();
  const statuses: ToolStatus[] = [];
  for (const name of toolNames) {
    const spec = tools[name];
    let found: Awaited<ReturnType<typeof locate>>;
    try {
      found = await locate(spec, env, options.exec, platform);
    } catch (error) {
      // A broken LAB_TOOL_* override is a finding for doctor to show, not a reason to stop listing.
      if (!(error instanceof EnvironmentError)) throw error;
      found = { note: error.message };
    }
    const status: ToolStatus = { name, version: spec.version, source: found.source ?? 'missing', path: found.path ?? null };
    if (found.note) status.note = found.note;
    statuses.push(status);
  }
  return statuses;
}

/** `lab tools install`: one at a time, so progress lines and a failure read in order. */
export async function installAll(options: Omit<ResolveOptions, 'install'>): Promise<ResolvedTool[]> {
  const resolved: ResolvedTool[] = [];
  for (const name of toolNames) resolved.push(await resolveTool(name, { ...options, install: true }));
  return resolved;
}
