// Reading Helm releases (`helm list`, `helm get values`) to decide whether an `upgrade --install` would change anything.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { LabContext } from '../../scripts/engine/types.ts';
import { UserError } from '../../scripts/lib/errors.ts';

/** One entry of `helm list --output json`. */
export interface HelmRelease {
  name: string;
  namespace?: string;
  revision: string;
  updated?: string;
  status: string;
  /** "<chart>-<version>", e.g. "linkerd-control-plane-2026.6.3". */
  chart?: string;
  app_version?: string;
}

export interface ChartRef {
  release: string;
  chart: string;
  namespace: string;
  version: string;
}

export async function findRelease(ctx: LabContext, ref: ChartRef): Promise<HelmRelease | undefined> {
  // --all also lists pending-* releases, which an interrupted install leaves behind.
  const list = await ctx.kube.json<HelmRelease[] | null>(ctx.kube.helm('list', '--namespace', ref.namespace, '--all', '--output', 'json'));
  return (list ?? []).find((r) => r.name === ref.release && (!r.namespace || r.namespace === ref.namespace));
}

/**
 * Why the release is not the pinned chart, deployed; undefined when it is. A release stuck in pending-* is an error:
 * `helm upgrade` would refuse it ("another operation is in progress"), so say how to get out.
 */
export function releaseProblem(release: HelmRelease | undefined, ref: ChartRef): string | undefined {
  if (!release) return `Helm release ${ref.release} is not installed in namespace ${ref.namespace}`;
  if (release.status.startsWith('pending')) {
    throw new UserError(
      `Helm release ${ref.release} in namespace ${ref.namespace} is stuck in status ${release.status} (an install or upgrade was interrupted)`,
      `roll it back with "npx lab helm rollback ${ref.release} --namespace ${ref.namespace}" (or, for a first install, "npx lab helm uninstall ${ref.release} --namespace ${ref.namespace}"), then run the lab again`,
    );
  }
  const want = `${ref.chart}-${ref.version}`;
  if (release.chart !== want) return `Helm release ${ref.release} runs chart ${release.chart ?? '(unknown)'}, not ${want}`;
  if (release.status !== 'deployed') return `Helm release ${ref.release} has status ${release.status}`;
  return undefined;
}

/** The user-supplied values of a release (`helm get values`), {} when none. */
export async function releaseValues(ctx: LabContext, ref: ChartRef): Promise<Record<string, unknown>> {
  const values = await ctx.kube.json<Record<string, unknown> | null>(ctx.kube.helm('get', 'values', ref.release, '--namespace', ref.namespace, '--output', 'json'));
  return values ?? {};
}

export function valuesFile(path: string): Record<string, unknown> {
  return (parse(readFileSync(path, 'utf8')) as Record<string, unknown> | null) ?? {};
}

/** Every key in `wanted` is in `actual` with an equal value (objects compared recursively, arrays exactly). */
export function containsValues(actual: unknown, wanted: unknown): boolean {
  if (wanted && typeof wanted === 'object' && !Array.isArray(wanted)) {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(wanted).every(([k, v]) => containsValues((actual as Record<string, unknown>)[k], v));
  }
  return JSON.stringify(actual) === JSON.stringify(wanted);
}
