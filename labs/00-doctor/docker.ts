// Asks the Docker CLI about the daemon kind will use: is it up, which product, how much memory, CPU and disk.
import type { LabContext } from '../../scripts/engine/types.ts';

export type DockerDownReason = 'missing' | 'permission' | 'down' | 'unknown';

export type DockerVersion =
  | {
      running: true;
      /** "Docker Engine", "Docker Desktop 4.43.2 (199162)", … (Server.Platform.Name, normalised). */
      product: string;
      /** Engine version, Server.Version. */
      version: string;
      desktop: boolean;
      rootless: boolean;
    }
  | { running: false; reason: DockerDownReason; detail: string };

export type DockerInfo =
  | {
      reachable: true;
      memTotal: number;
      ncpu: number;
      dockerRootDir: string;
      operatingSystem: string;
      /** Host name of the daemon: "docker-desktop", "colima", the Linux host's name. */
      name: string;
      desktop: boolean;
      rootless: boolean;
      serverVersion: string;
    }
  | { reachable: false; reason: DockerDownReason; detail: string };

const VERSION_ARGV = ['docker', 'version', '--format', '{{json .}}'];
const INFO_ARGV = ['docker', 'info', '--format', '{{json .}}'];
/** Docker Desktop answers slowly while it starts; a hung socket must not hang doctor. */
const TIMEOUT_MS = 20_000;

export const dockerVersionArgv = (): string[] => [...VERSION_ARGV];
export const dockerInfoArgv = (): string[] => [...INFO_ARGV];

function firstLine(text: string): string {
  return text.trim().split('\n').find((l) => l.trim())?.trim() ?? '';
}

/** Reads the CLI's error text: no daemon, no permission on the socket, or something else. */
export function classifyDockerError(stderr: string): DockerDownReason {
  if (/permission denied/i.test(stderr) && /docker(\.sock| daemon socket| API)/i.test(stderr)) return 'permission';
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|error during connect|docker_engine|connection refused|no such file or directory/i.test(stderr)) {
    return 'down';
  }
  return 'unknown';
}

function parseJson(text: string): Record<string, any> | undefined {
  const line = text.trim().split('\n').find((l) => l.trim().startsWith('{'));
  if (!line) return undefined;
  try {
    const value = JSON.parse(line);
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

function productName(platformName: string | undefined): string {
  const name = (platformName ?? '').trim();
  // "Docker Engine - Community" and an empty name (distribution packages, colima) are both the Engine.
  if (!name || name.startsWith('Docker Engine')) return 'Docker Engine';
  return name;
}

async function run(ctx: LabContext, argv: string[]) {
  return ctx.exec.run(argv, { quiet: true, reject: false, timeoutMs: TIMEOUT_MS });
}

/** `docker version` prints the client part and `"Server":null` (exit 1) when no daemon answers. */
export async function readDockerVersion(ctx: LabContext): Promise<DockerVersion> {
  const r = await run(ctx, VERSION_ARGV);
  if (r.exitCode === 127 && !r.stdout.trim()) return { running: false, reason: 'missing', detail: 'the docker command is not installed' };
  const data = parseJson(r.stdout);
  const server = data?.Server;
  if (r.exitCode === 0 && server && typeof server.Version === 'string') {
    const components: Array<{ Name?: string }> = Array.isArray(server.Components) ? server.Components : [];
    const product = productName(server.Platform?.Name);
    return {
      running: true,
      product,
      version: server.Version,
      desktop: product.startsWith('Docker Desktop'),
      rootless: components.some((c) => c.Name === 'rootlesskit'),
    };
  }
  const detail = firstLine(r.stderr) || (data ? 'docker version returned no server section' : `docker version exited with code ${r.exitCode}`);
  return { running: false, reason: classifyDockerError(r.stderr), detail };
}

/** `docker info` exits 0 even without a daemon: the server fields are then empty and the error is on stderr. */
export async function readDockerInfo(ctx: LabContext): Promise<DockerInfo> {
  const r = await run(ctx, INFO_ARGV);
  if (r.exitCode === 127 && !r.stdout.trim()) return { reachable: false, reason: 'missing', detail: 'the docker command is not installed' };
  const data = parseJson(r.stdout);
  const serverErrors: string[] = Array.isArray(data?.ServerErrors) ? data.ServerErrors : [];
  if (!data || serverErrors.length > 0 || !data.ServerVersion || !(data.MemTotal > 0)) {
    const detail = firstLine(serverErrors.join('\n')) || firstLine(r.stderr) || `docker info exited with code ${r.exitCode}`;
    return { reachable: false, reason: classifyDockerError(`${serverErrors.join('\n')}\n${r.stderr}`), detail };
  }
  const securityOptions: string[] = Array.isArray(data.SecurityOptions) ? data.SecurityOptions : [];
  const operatingSystem = String(data.OperatingSystem ?? '');
  return {
    reachable: true,
    memTotal: Number(data.MemTotal),
    ncpu: Number(data.NCPU ?? 0),
    dockerRootDir: String(data.DockerRootDir ?? ''),
    operatingSystem,
    name: String(data.Name ?? ''),
    desktop: operatingSystem === 'Docker Desktop',
    rootless: securityOptions.some((o) => o.split(',').includes('name=rootless')),
    serverVersion: String(data.ServerVersion),
  };
}

/**
 * Several checks read `docker info`; one doctor run asks once. The cache is per context and short-lived,
 * so a long-lived menu session that runs doctor again sees Docker's current state.
 */
const CACHE_MS = 15_000;
const infoCache = new WeakMap<LabContext, { at: number; value: Promise<DockerInfo> }>();

export function dockerInfo(ctx: LabContext): Promise<DockerInfo> {
  const hit = infoCache.get(ctx);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  const value = readDockerInfo(ctx);
  infoCache.set(ctx, { at: Date.now(), value });
  return value;
}

/** kind runs its node through Podman instead of Docker when this is set; doctor only knows Docker. */
export function usesPodman(env: NodeJS.ProcessEnv): boolean {
  return (env.KIND_EXPERIMENTAL_PROVIDER ?? '').toLowerCase() === 'podman';
}

/** DOCKER_HOST pointing at another machine: its disk and ports are not this machine's. */
export function remoteDockerHost(env: NodeJS.ProcessEnv): string | undefined {
  const host = env.DOCKER_HOST ?? '';
  return /^(tcp|ssh|https?):\/\//i.test(host) ? host : undefined;
}
