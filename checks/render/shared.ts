// What every check renderer shares: its options, grouping results by lab and level, counting, trimming evidence.
import type { CheckLevel, CheckResult } from '../types.ts';

/** Where a renderer writes: process.stdout, a file stream, or a string sink in tests. */
export interface Sink {
  write(s: string): unknown;
}

export interface RenderOptions {
  color?: boolean;
  unicode?: boolean;
  /** "01 cluster · config": how a lab+level group is named in headers and suites. */
  groupTitle: (lab: string, level: CheckLevel) => string;
}

export interface ResultGroup {
  lab: string;
  level: CheckLevel;
  results: CheckResult[];
}

export interface Summary {
  passed: number;
  failed: number;
  warnings: number;
  skipped: number;
}

/** Groups in order of first appearance, so the report reads in the order the checks ran. */
export function groupResults(results: CheckResult[]): ResultGroup[] {
  const groups = new Map<string, ResultGroup>();
  for (const r of results) {
    const key = `${r.lab}\u0000${r.level}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { lab: r.lab, level: r.level, results: [] }));
    group.results.push(r);
  }
  return [...groups.values()];
}

export function summarize(results: CheckResult[]): Summary {
  const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
  return { passed: count('pass'), failed: count('fail'), warnings: count('warning'), skipped: count('skip') };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Terminal reports show at most this many evidence lines; JSON and JUnit keep all of it. */
export const EVIDENCE_LINES = 10;

/** Evidence often comes from tools that colour their output; their escapes would garble our own (or a log file). */
export function stripAnsi(s: string): string {
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b\][^\x07]*\x07/g, '');
}

/** Evidence cut to EVIDENCE_LINES, with a line saying how much was left out and where to find it. */
export function evidenceLines(evidence: string | undefined, max = EVIDENCE_LINES): string[] {
  if (!evidence) return [];
  const lines = stripAnsi(evidence).replace(/\s+$/, '').split(/\r?\n/);
  if (lines.length <= max) return lines;
  const rest = lines.length - max;
  return [...lines.slice(0, max), `… ${plural(rest, 'more line')} (all of it in -o json)`];
}

/** Indents every line of a possibly multi-line text. */
export function indent(text: string, prefix: string): string[] {
  return stripAnsi(text).split(/\r?\n/).map((line) => (line ? prefix + line : line));
}

/** "1 check failed, 1 warning" or "" when nothing failed or warned. */
export function problemsText(s: Summary): string {
  const parts: string[] = [];
  if (s.failed) parts.push(`${plural(s.failed, 'check')} failed`);
  if (s.warnings) parts.push(plural(s.warnings, 'warning'));
  return parts.join(', ');
}

