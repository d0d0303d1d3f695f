// Fires a bounded burst of requests (count and time) and tallies statuses and error reasons, e.g. to see a rate limit bite.
export interface BurstOptions {
  count: number;
  concurrency: number;
  /** One request; resolves to the HTTP status, or throws (a `reason` or `code` property names the error). */
  request: () => Promise<number>;
  /** No new request starts after this; requests still running then are counted as 'deadline'. */
  deadlineMs: number;
}

export interface BurstResult {
  /** HTTP status → how many, e.g. { '200': 10, '429': 40 }. */
  statuses: Record<string, number>;
  /** Error reason → how many. */
  errors: Record<string, number>;
  /** Requests started (less than count when the deadline cut the burst short). */
  sent: number;
  durationMs: number;
}

/** Hard caps so a typo in a lab cannot turn a probe into a load test against the learner's laptop. */
export const MAX_COUNT = 10_000;
export const MAX_CONCURRENCY = 100;

function reasonOf(error: unknown): string {
  const e = error as { reason?: unknown; code?: unknown; message?: unknown } | undefined;
  return String(e?.reason ?? e?.code ?? e?.message ?? error);
}

export async function burst(opts: BurstOptions): Promise<BurstResult> {
  const count = Math.max(0, Math.min(Math.floor(opts.count), MAX_COUNT));
  const concurrency = Math.max(1, Math.min(Math.floor(opts.concurrency), MAX_CONCURRENCY, count || 1));
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const bump = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
  const started = performance.now();
  const deadline = started + opts.deadlineMs;
  let sent = 0;

  let deadlineTimer: NodeJS.Timeout | undefined;
  const deadlineHit = new Promise<'deadline'>((resolve) => {
    deadlineTimer = setTimeout(() => resolve('deadline'), Math.max(0, opts.deadlineMs));
  });

  const worker = async () => {
    while (sent < count && performance.now() < deadline) {
      sent++;
      // A request that never settles must not hold the burst past its deadline.
      const outcome = await Promise.race([
        opts.request().then(
          (status) => ({ status }),
          (error: unknown) => ({ error }),
        ),
        deadlineHit,
      ]);
      if (outcome === 'deadline') {
        bump(errors, 'deadline');
        return;
      }
      if ('status' in outcome) bump(statuses, String(outcome.status));
      else bump(errors, reasonOf(outcome.error));
    }
  };

  try {
    await Promise.all(Array.from({ length: count === 0 ? 0 : concurrency }, worker));
  } finally {
    clearTimeout(deadlineTimer);
  }
  return { statuses, errors, sent, durationMs: Math.round(performance.now() - started) };
}
