// `linkerd check -o json`: run it, parse its output (one JSON document per extension), sort findings into errors and warnings.
import type { LabContext } from '../../scripts/engine/types.ts';

/** linkerd2 pkg/healthcheck CheckOutput / CheckCategory / Check (version-2.20). */
export interface LinkerdCheckOutput {
  success: boolean;
  categories: Array<{
    categoryName: string;
    checks: Array<{ description: string; hint?: string; error?: string; result: 'success' | 'warning' | 'error' }>;
  }>;
}

export interface Finding {
  category: string;
  description: string;
  error: string;
  hint?: string;
}

export interface CheckRun {
  exitCode: number;
  outputs: LinkerdCheckOutput[];
  errors: Finding[];
  warnings: Finding[];
  /** Warnings left out of `warnings` because the workshop causes them on purpose (pinned versions). */
  expected: Finding[];
  raw: string;
}

/**
 * `linkerd check -o json` prints the core checks' document, then one document per extension (viz), back to back.
 * Splits on the braces of top-level objects, minding strings, so `}{` and `}\n{` both separate documents.
 */
export function parseJsonDocuments(text: string): unknown[] {
  const docs: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}') {
      depth--;
      if (depth === 0 && start >= 0) {
        docs.push(JSON.parse(text.slice(start, i + 1)));
        start = -1;
      }
    }
  }
  return docs;
}

/**
 * The lab pins Linkerd edge-26.6.3 on purpose, so "is up-to-date" warnings (and "can determine the latest
 * version" when offline) say nothing about this cluster's health. Version *mismatch* warnings still count.
 */
export function isExpectedWarning(f: Finding): boolean {
  return /\bup-to-date$/.test(f.description) || f.description === 'can determine the latest version';
}

export function classify(outputs: LinkerdCheckOutput[]): Pick<CheckRun, 'errors' | 'warnings' | 'expected'> {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const expected: Finding[] = [];
  for (const out of outputs) {
    for (const category of out.categories ?? []) {
      for (const c of category.checks ?? []) {
        if (c.result === 'success') continue;
        const finding: Finding = { category: category.categoryName, description: c.description, error: c.error ?? '', ...(c.hint ? { hint: c.hint } : {}) };
        if (c.result === 'error') errors.push(finding);
        else if (isExpectedWarning(finding)) expected.push(finding);
        else warnings.push(finding);
      }
    }
  }
  return { errors, warnings, expected };
}

export function describeFinding(f: Finding): string {
  return `${f.category}: ${f.description}${f.error ? ` (${f.error.split('\n')[0]})` : ''}`;
}

export function findingEvidence(findings: Finding[]): string {
  return findings.map((f) => `${f.category} / ${f.description}\n  ${f.error.replace(/\n/g, '\n  ')}${f.hint ? `\n  see ${f.hint}` : ''}`).join('\n');
}

export function linkerdCheckArgv(ctx: LabContext): string[] {
  return ctx.kube.linkerd('check', '--output', 'json');
}

/** Runs `linkerd check`; it exits 1 when a check fails, which is an answer here, not an error. */
export async function runLinkerdCheck(ctx: LabContext): Promise<CheckRun> {
  const r = await ctx.exec.run(linkerdCheckArgv(ctx), { quiet: true, reject: false, timeoutMs: 180_000 });
  let docs: unknown[];
  try {
    docs = parseJsonDocuments(r.stdout);
  } catch {
    docs = [];
  }
  const outputs = docs.filter((d): d is LinkerdCheckOutput => !!d && typeof d === 'object' && Array.isArray((d as LinkerdCheckOutput).categories));
  if (outputs.length === 0) {
    throw new Error(`linkerd check printed no JSON result (exit code ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''}`);
  }
  return { exitCode: r.exitCode, outputs, ...classify(outputs), raw: r.stdout };
}

/**
 * Two checks read one `linkerd check` run (errors, then warnings); the second reuses a run from the last
 * half-minute instead of waiting for another.
 */
const recent = new WeakMap<LabContext, { at: number; run: Promise<CheckRun> }>();
const REUSE_MS = 30_000;

export function linkerdCheck(ctx: LabContext, options: { fresh: boolean }): Promise<CheckRun> {
  const cached = recent.get(ctx);
  if (!options.fresh && cached && Date.now() - cached.at < REUSE_MS) return cached.run;
  const run = runLinkerdCheck(ctx);
  recent.set(ctx, { at: Date.now(), run });
  run.catch(() => recent.delete(ctx));
  return run;
}
