// Which kind clusters exist on this machine: read-only `kind get clusters`, with "kind missing" told apart.
import type { LabContext } from '../../scripts/engine/types.ts';

export type KindClusters = { ok: true; names: string[] } | { ok: false; missing: boolean; detail: string };

export const kindGetClustersArgv = (): string[] => ['kind', 'get', 'clusters'];

export async function listKindClusters(ctx: LabContext): Promise<KindClusters> {
  const r = await ctx.exec.run(kindGetClustersArgv(), { quiet: true, reject: false, timeoutMs: 20_000 });
  if (r.exitCode === 127 && !r.stdout.trim()) return { ok: false, missing: true, detail: 'kind is not installed' };
  if (r.exitCode !== 0) {
    const line = (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
    return { ok: false, missing: false, detail: line || `kind get clusters exited with code ${r.exitCode}` };
  }
  // "No kind clusters found." goes to stderr with exit 0; stdout then is empty.
  return { ok: true, names: r.stdout.split('\n').map((l) => l.trim()).filter(Boolean) };
}
