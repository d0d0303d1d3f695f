// How to fix each finding on the learner's OS: the one place the per-OS commands are written down.
import type { DockerDownReason } from './docker.ts';

export type HostOs = 'linux' | 'darwin' | 'other';

export function hostOs(platform: string): HostOs {
  return platform === 'linux' || platform === 'darwin' ? platform : 'other';
}

export function startDocker(os: HostOs): string {
  if (os === 'darwin') {
    return 'Start Docker Desktop (open -a Docker) and wait for "Engine running"; with colima run colima start --cpu 4 --memory 8; ' +
      'with Podman run podman machine start and export KIND_EXPERIMENTAL_PROVIDER=podman';
  }
  if (os === 'linux') {
    return 'Start it: sudo systemctl start docker (Docker Engine), systemctl --user start docker (rootless Docker) ' +
      'or systemctl --user start docker-desktop (Docker Desktop for Linux); with Podman export KIND_EXPERIMENTAL_PROVIDER=podman';
  }
  return 'Start Docker, then run npx lab doctor again';
}

export function installDocker(os: HostOs): string {
  if (os === 'darwin') return 'Install Docker Desktop (https://docs.docker.com/desktop/setup/install/mac-install/) or colima (brew install colima docker)';
  if (os === 'linux') return 'Install Docker Engine (https://docs.docker.com/engine/install/) and start it with sudo systemctl enable --now docker';
  return 'Install Docker (https://docs.docker.com/get-started/get-docker/)';
}

export function dockerFix(reason: DockerDownReason, os: HostOs): string {
  switch (reason) {
    case 'missing':
      return installDocker(os);
    case 'permission':
      return 'Let your user talk to Docker: sudo usermod -aG docker $USER, then log out and back in (or run newgrp docker in this shell)';
    default:
      return startDocker(os);
  }
}

/** Where the memory and CPU limit is set depends on who runs the daemon. */
export function resizeDocker(info: { desktop: boolean; name: string }, os: HostOs): string {
  if (info.desktop) return 'Docker Desktop → Settings → Resources → Advanced: set Memory to 8 GB and CPUs to 4, then Apply & restart';
  if (info.name === 'colima') return 'colima stop && colima start --memory 8 --cpu 4';
  if (os === 'darwin') return "raise the memory and CPUs of the VM that runs Docker (colima start --memory 8 --cpu 4, podman machine set --memory 8192 --cpus 4)";
  return 'Docker Engine uses this machine\'s own memory and CPUs: close memory-hungry programs or use a bigger machine';
}

export function findPortOwner(port: number, os: HostOs): string {
  const lsof = `sudo lsof -nP -iTCP:${port} -sTCP:LISTEN`;
  if (os === 'linux') return `sudo ss -ltnp 'sport = :${port}' or ${lsof}`;
  return lsof;
}

export function otherPorts(http: number, https: number): string {
  const alt = [http === 8080 ? 18080 : 8080, https === 8443 ? 18443 : 8443];
  return `LAB_HTTP_PORT=${alt[0]} LAB_HTTPS_PORT=${alt[1]} npx lab run 01`;
}
