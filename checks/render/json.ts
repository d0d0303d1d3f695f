// Machine renderer: one versioned JSON document (schema.json) written once, when the run ends.
import type { CheckEvent, CheckRenderer, CheckReport, CheckResult } from '../types.ts';
import { groupResults, summarize, type RenderOptions, type Sink, type Summary } from './shared.ts';

export const REPORT_SCHEMA = 'edge-to-mesh/check-report/v1';

export interface JsonCheck {
  id: string;
  title: string;
  result: CheckResult['status'];
  /** Why it failed, warned or was skipped, or the pass note; null when there is none. */
  message: string | null;
  evidence: string | null;
  hint: string;
  durationMs: number;
  attempts: number;
  timedOut: boolean;
}

export interface JsonReport {
  schema: typeof REPORT_SCHEMA;
  success: boolean;
  startedAt: string;
  durationMs: number;
  /** Id of the fatal check that stopped the run, or null. */
  abortedBy: string | null;
  summary: Summary;
  groups: { lab: string; level: CheckResult['level']; title: string; checks: JsonCheck[] }[];
}

/** Absent fields become null so every check has the same keys: consumers can index without guards. */
export function toJsonReport(report: CheckReport, groupTitle: RenderOptions['groupTitle']): JsonReport {
  return {
    schema: REPORT_SCHEMA,
    success: report.success,
    startedAt: report.startedAt,
    durationMs: Math.round(report.durationMs),
    abortedBy: report.abortedBy ?? null,
    summary: summarize(report.results),
    groups: groupResults(report.results).map((g) => ({
      lab: g.lab,
      level: g.level,
      title: groupTitle(g.lab, g.level),
      checks: g.results.map((r) => ({
        id: r.id,
        title: r.title,
        result: r.status,
        message: r.message ?? null,
        evidence: r.evidence ?? null,
        hint: r.hint,
        durationMs: Math.round(r.durationMs),
        attempts: r.attempts,
        timedOut: r.timedOut ?? false,
      })),
    })),
  };
}

export function jsonRenderer(out: Sink, options: RenderOptions): CheckRenderer {
  return {
    onEvent(event: CheckEvent): void {
      // Only the end has the whole picture; partial JSON on stdout would break `| jq`.
      if (event.type === 'end') out.write(`${JSON.stringify(toJsonReport(event.report, options.groupTitle), null, 2)}\n`);
    },
  };
}
