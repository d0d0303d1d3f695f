// Choosing which binary runs: override, cache (also offline), a PATH binary of the pinned version, or a download.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExec, type ExecEvent } from '../../scripts/lib/exec.ts';
import { EnvironmentError } from '../../scripts/lib/errors.ts';
import { detectPlatform, installAll, resolveTool, toolStatus } from '../../scripts/tools/resolve.ts';
import type { Platform } from '../../scripts/tools/versions.ts';
import { closedPortUrl, sha256, startMirror, type Mirror } from './mirror.ts';

const linux: Platform = { os: 'linux', arch: 'amd64' };
const kindBody = '#!/bin/sh\necho "kind v0.31.0 go1.25.5 linux/amd64"\n';

let dir: string;
let cache: string;
let bin: string;
let mirror: Mirror;
let env: NodeJS.ProcessEnv;
let events: ExecEvent[];
let exec: ReturnType<typeof createExec>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'e2m-resolve-'));
  cache = join(dir, 'cache');
  bin = join(dir, 'bin');
  mkdirSync(cache);
  mkdirSync(bin);
  mirror = await startMirror();
  mirror.routes.set('/dl/v0.31.0/kind-linux-amd64', { body: kindBody });
  mirror.routes.set('/kubernetes-sigs/kind/releases/download/v0.31.0/kind-linux-amd64.sha256sum', { body: `${sha256(kindBody)}  kind-linux-amd64\n` });
  env = { PATH: bin, LAB_TOOLS_CACHE: cache, LAB_TOOLS_MIRROR: mirror.url };
  events = [];
  exec = createExec({ onEvent: (e) => events.push(e) });
});

afterEach(async () => {
  await mirror.close();
  rmSync(dir, { recursive: true, force: true });
});

function script(path: string, stdout: string): string {
  writeFileSync(path, `#!/bin/sh\necho '${stdout}'\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('resolveTool', () => {
  it('downloads into the cache when nothing is found and install is true, then reuses it offline', async () => {
    const first = await resolveTool('kind', { env, exec, install: true, platform: linux, repoLock: null });
    const dest = join(cache, 'kind', 'v0.31.0', 'linux-amd64', 'kind');
    expect(first).toEqual({ name: 'kind', version: 'v0.31.0', path: dest, source: 'cache', downloaded: true });

    // The server going away must not matter once the binary is cached.
    const offline = { ...env, LAB_TOOLS_MIRROR: await closedPortUrl() };
    const second = await resolveTool('kind', { env: offline, exec, install: true, platform: linux, repoLock: null });
    expect(second).toEqual({ name: 'kind', version: 'v0.31.0', path: dest, source: 'cache', downloaded: false });
  });

  it('uses a pre-seeded cache binary with the server down', async () => {
    const dest = join(cache, 'kubectl', 'v1.35.0', 'darwin-arm64', 'kubectl');
    mkdirSync(join(dest, '..'), { recursive: true });
    script(dest, 'seeded');
    const offline = { ...env, LAB_TOOLS_MIRROR: await closedPortUrl() };
    const resolved = await resolveTool('kubectl', { env: offline, exec, install: true, platform: { os: 'darwin', arch: 'arm64' }, repoLock: null });
    expect(resolved).toMatchObject({ path: dest, source: 'cache', downloaded: false });
  });

  it('fails offline without a cache, naming the URL and how to pre-seed', async () => {
    const down = await closedPortUrl();
    const error = await resolveTool('kind', { env: { ...env, LAB_TOOLS_MIRROR: down }, exec, install: true, platform: linux, repoLock: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toContain(`from ${down}/kubernetes-sigs/kind/releases/download/v0.31.0/kind-linux-amd64.sha256sum: ECONNREFUSED`);
    expect((error as EnvironmentError).hint).toContain(join(cache, 'kind', 'v0.31.0', 'linux-amd64', 'kind'));
    expect(readdirSync(cache)).toEqual([]);
  });

  it('uses a PATH binary that reports the pinned version, without downloading', async () => {
    const onPath = script(join(bin, 'kind'), 'kind v0.31.0 go1.25.5 linux/amd64');
    const resolved = await resolveTool('kind', { env, exec, install: true, platform: linux, repoLock: null });
    expect(resolved).toEqual({ name: 'kind', version: 'v0.31.0', path: onPath, source: 'path', downloaded: false });
    expect(mirror.requests).toEqual([]);
    // The probe went through the exec seam, quietly.
    expect(events.filter((e) => e.type === 'start').map((e) => [e.argv, e.quiet])).toEqual([[[onPath, 'version'], true]]);
  });

  it('recognises each tool’s version output', async () => {
    script(join(bin, 'kubectl'), '{"clientVersion":{"major":"1","minor":"35","gitVersion":"v1.35.0","platform":"linux/amd64"}}');
    script(join(bin, 'helm'), 'v3.19.5+g3d8990f');
    script(join(bin, 'linkerd'), 'edge-26.6.3');
    for (const name of ['kubectl', 'helm', 'linkerd'] as const) {
      expect((await resolveTool(name, { env, exec, install: false, platform: linux })).source).toBe('path');
    }
  });

  it('passes over a PATH binary with the wrong version', async () => {
    const wrong = script(join(bin, 'kind'), 'kind v0.30.0 go1.24.6 linux/amd64');
    const error = await resolveTool('kind', { env, exec, install: false, platform: linux }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toBe('kind v0.31.0 is not installed; run `npx lab tools install`');
    expect((error as EnvironmentError).hint).toContain(`${wrong} reports kind v0.30.0 go1.24.6 linux/amd64`);

    const installed = await resolveTool('kind', { env, exec, install: true, platform: linux, repoLock: null });
    expect(installed).toMatchObject({ source: 'cache', downloaded: true, path: join(cache, 'kind', 'v0.31.0', 'linux-amd64', 'kind') });
  });

  it('prefers LAB_TOOL_<NAME> over everything and rejects a bad one', async () => {
    script(join(bin, 'helm'), 'v3.19.5+g3d8990f');
    const custom = script(join(dir, 'my-helm'), 'v4.0.0');
    const resolved = await resolveTool('helm', { env: { ...env, LAB_TOOL_HELM: custom }, exec, install: false, platform: linux });
    expect(resolved).toEqual({ name: 'helm', version: 'v3.19.5', path: custom, source: 'override', downloaded: false });
    await expect(resolveTool('helm', { env: { ...env, LAB_TOOL_HELM: join(dir, 'nope') }, exec, platform: linux })).rejects.toThrow(`LAB_TOOL_HELM=${join(dir, 'nope')} is not an executable file`);
  });
});

describe('toolStatus and installAll', () => {
  it('reports where each tool comes from without downloading', async () => {
    script(join(bin, 'helm'), 'v3.19.5+g3d8990f');
    script(join(bin, 'linkerd'), 'stable-2.14.10');
    const override = script(join(dir, 'kubectl'), 'anything');
    const statuses = await toolStatus({ env: { ...env, LAB_TOOL_KUBECTL: override }, exec, platform: linux });
    expect(statuses).toEqual([
      { name: 'kind', version: 'v0.31.0', source: 'missing', path: null },
      { name: 'kubectl', version: 'v1.35.0', source: 'override', path: override },
      { name: 'helm', version: 'v3.19.5', source: 'path', path: join(bin, 'helm') },
      { name: 'linkerd', version: 'edge-26.6.3', source: 'missing', path: null, note: `${join(bin, 'linkerd')} reports stable-2.14.10; the lab needs linkerd edge-26.6.3` },
    ]);
    expect(mirror.requests).toEqual([]);
  });

  it('installAll stops at linkerd’s missing pin after installing what it can', async () => {
    script(join(bin, 'kubectl'), '{"clientVersion":{"gitVersion":"v1.35.0"}}');
    script(join(bin, 'helm'), 'v3.19.5+g3d8990f');
    await expect(installAll({ env, exec, platform: linux, repoLock: null })).rejects.toThrow('linkerd edge-26.6.3 has no pinned sha256 for linux-amd64');
    expect(readdirSync(cache).sort()).toEqual(['kind', 'tools.lock.json']);
  });
});

describe('detectPlatform', () => {
  it('maps Node names to release names and refuses the rest', () => {
    expect(detectPlatform('linux', 'x64')).toEqual({ os: 'linux', arch: 'amd64' });
    expect(detectPlatform('darwin', 'arm64')).toEqual({ os: 'darwin', arch: 'arm64' });
    expect(() => detectPlatform('win32', 'x64')).toThrow('this platform (win32/x64) is not supported');
    const error = (() => {
      try {
        return detectPlatform('linux', 'ia32');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).hint).toContain('linux-amd64, linux-arm64, darwin-amd64, darwin-arm64');
  });
});
