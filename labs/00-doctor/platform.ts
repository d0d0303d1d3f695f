// Which OS and CPU the lab supports: the pinned tools exist for linux and darwin on amd64 and arm64 only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type PlatformFinding = { supported: true; note: string } | { supported: false; message: string };

const ARCH_NAMES: Record<string, string> = { x64: 'x86-64', arm64: 'arm64' };

/** WSL2 reports linux; saying so tells the learner the Windows-side advice in the text applies to them. */
export function isWsl(procRoot: string): boolean {
  try {
    return /microsoft/i.test(readFileSync(join(procRoot, 'version'), 'utf8'));
  } catch {
    return false;
  }
}

export function platformFinding(os: string, arch: string, wsl = false): PlatformFinding {
  if (os === 'win32') {
    return {
      supported: false,
      message: 'Windows is not supported directly: run the lab inside WSL2 (wsl --install -d Ubuntu), clone the repository there, ' +
        'and use Docker Desktop with WSL integration turned on for that distribution, or Docker Engine installed inside WSL2',
    };
  }
  if (os !== 'linux' && os !== 'darwin') {
    return { supported: false, message: `${os} is not supported: the lab's pinned kind, kubectl, helm and linkerd exist for Linux and macOS only` };
  }
  if (!(arch in ARCH_NAMES)) {
    return { supported: false, message: `the ${arch} CPU is not supported: the pinned tools and images exist for x86-64 (amd64) and arm64 only` };
  }
  if (os === 'darwin' && arch === 'arm64') {
    return {
      supported: true,
      note: 'macOS on Apple silicon (arm64): every pinned image (kindest/node, Linkerd, Emissary-ingress 4.1.0, podinfo) is multi-arch, so nothing runs under emulation',
    };
  }
  const name = os === 'darwin' ? 'macOS' : wsl ? 'Linux (WSL2)' : 'Linux';
  return { supported: true, note: `${name} on ${ARCH_NAMES[arch]}` };
}
