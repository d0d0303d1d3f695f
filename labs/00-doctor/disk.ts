// Free disk where the images will land: Docker's data root when it is on this machine, else the project's disk.
import { statfs } from 'node:fs/promises';

export interface FsSpace {
  bavail: number | bigint;
  bsize: number | bigint;
}

export type Statfs = (path: string) => Promise<FsSpace>;

export const defaultStatfs: Statfs = (path) => statfs(path);

export function freeBytes(space: FsSpace): number {
  return Number(space.bavail) * Number(space.bsize);
}

export interface DiskTarget {
  path: string;
  /** Why this path: printed so the learner knows which disk to clean. */
  what: string;
}

/**
 * Docker Desktop, colima and remote daemons keep images inside a VM or on another host, so their
 * DockerRootDir is not a path here; the VM's disk image grows on the disk that holds the project (usually
 * the home volume), which is the best local proxy for it.
 */
export async function measureFree(statfsFn: Statfs, candidates: DiskTarget[]): Promise<{ target: DiskTarget; free: number }> {
  let lastError: unknown;
  for (const target of candidates) {
    try {
      return { target, free: freeBytes(await statfsFn(target.path)) };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error('no disk path could be measured');
}
