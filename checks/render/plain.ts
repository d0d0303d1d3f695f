// CI renderer: one grep-able line per result (PASS/FAIL/WARN/SKIP <id>  <title>), failure details under it, no ANSI.
import type { CheckEvent, CheckRenderer, CheckResult } from '../types.ts';
import { evidenceLines, indent, plural, stripAnsi, summarize, type RenderOptions, type Sink } from './shared.ts';

const LABEL: Record<CheckResult['status'], string> = { pass: 'PASS', fail: 'FAIL', warning: 'WARN', skip: 'SKIP' };

/** Colour is ignored on purpose: CI logs and files keep escape codes as noise. */
export function plainRenderer(out: Sink, _options: RenderOptions): CheckRenderer {
  const waited = new Set<string>();
  const write = (lines: string[]): void => {
    out.write(lines.map((l) => `${l}\n`).join(''));
  };

  function details(r: CheckResult): string[] {
    const lines = r.message ? indent(r.message, '    ') : [];
    if (r.timedOut) lines.push(`    gave up after ${r.attempts} attempts`);
    lines.push(...evidenceLines(r.evidence).map((l) => `      ${l}`));
    lines.push(`    see ${r.hint} for hints`);
    return lines;
  }

  return {
    onEvent(event: CheckEvent): void {
      switch (event.type) {
        case 'retry':
          // A long wait in CI with no output looks hung (and some CI kills silent jobs): say once what is awaited.
          if (waited.has(event.check.id)) return;
          waited.add(event.check.id);
          return write([`WAIT ${event.check.id}  waiting: ${stripAnsi(event.message).split('\n')[0]}`]);
        case 'result': {
          const r = event.result;
          if (r.status === 'skip') return write([`SKIP ${r.id}  ${r.title} (skipped: ${stripAnsi(r.message ?? 'no reason given')})`]);
          const line = `${LABEL[r.status]} ${r.id}  ${r.title}`;
          if (r.status === 'pass') return write([line, ...(r.message ? indent(r.message, '    ') : [])]);
          return write([line, ...details(r)]);
        }
        case 'end': {
          const s = summarize(event.report.results);
          const lines: string[] = [];
          if (event.report.abortedBy) lines.push(`STOP ${event.report.abortedBy}  failed; the checks after it cannot pass`);
          lines.push(`${event.report.success ? 'OK' : 'FAILED'}  ${s.passed} passed, ${s.failed} failed, ${plural(s.warnings, 'warning')}, ${s.skipped} skipped`);
          return write(lines);
        }
        default:
          return;
      }
    },
  };
}
