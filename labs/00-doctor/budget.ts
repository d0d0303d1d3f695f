// The machine budget the lab is sized for: what doctor compares Docker's memory, CPUs and free disk against.

/**
 * No upstream project publishes a figure for kind + Linkerd + linkerd-viz + Emissary-ingress (facts §8.5:
 * kind's 6 GB minimum / 8 GB recommended is for building node images, and Linkerd's non-HA charts set no
 * requests at all). These numbers are our measurement target, to be confirmed by the end-to-end run
 * (`kubectl top nodes`, `docker stats`) on a laptop: change them here and the lab text follows.
 */
export const budget = {
  /** Below this the node gets OOM-killed pods during installs: a failure. */
  memoryRequiredGiB: 6,
  /** Below this everything works but pulls and rollouts are slow: a warning. */
  memoryComfortableGiB: 8,
  cpusRequired: 2,
  cpusComfortable: 4,
  /** kindest/node (~1 GiB unpacked) plus the images pulled inside the node and their layers. */
  diskRequiredGiB: 10,
  diskComfortableGiB: 20,
} as const;

/**
 * Docker reports MemTotal as the kernel sees it: a VM given 8 GB shows about 7.7 GiB, a laptop with
 * 8 GB shows 7.6 GiB. Comparing against 90% of the budget lets "8 GB" in a settings slider pass.
 */
export const MEMTOTAL_SLACK = 0.9;

export const GiB = 1024 ** 3;

/** "7.6 GiB" — one decimal, so 7.96 does not round up to a misleading "8 GiB". */
export function formatGiB(bytes: number): string {
  return `${(Math.floor((bytes / GiB) * 10) / 10).toFixed(1)} GiB`;
}
