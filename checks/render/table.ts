// Terminal renderer in the style of `linkerd check`: a header per group, one marked line per check, hints under failures.
import type { Check, CheckEvent, CheckRenderer, CheckReport, CheckResult } from '../types.ts';
import { marks, paint } from '../../scripts/lib/terminal.ts';
import { evidenceLines, indent, problemsText, stripAnsi, summarize, type RenderOptions, type Sink } from './shared.ts';

export function tableRenderer(out: Sink, options: RenderOptions): CheckRenderer {
  const p = paint(options.color ?? false);
  const m = marks(options.unicode ?? true);
  const ellipsis = options.unicode ?? true ? '…' : '...';
  let currentGroup: string | undefined;
  /** Checks that already showed their "waiting" note: retries repeat every few seconds and would flood the screen. */
  const waited = new Set<string>();
  const write = (lines: string[]): void => {
    out.write(lines.map((l) => `${l}\n`).join(''));
  };

  function header(check: Pick<Check, 'lab' | 'level'>): void {
    const title = options.groupTitle(check.lab, check.level);
    if (title === currentGroup) return;
    // A blank line before every header but the first, like linkerd's categories.
    write([...(currentGroup === undefined ? [] : ['']), title, '-'.repeat([...title].length)]);
    currentGroup = title;
  }

  function details(r: CheckResult): string[] {
    const lines = r.message ? indent(r.message, '    ') : [];
    if (r.timedOut) lines.push(`    gave up after ${r.attempts} attempts`);
    lines.push(...evidenceLines(r.evidence).map((l) => p.dim(`      ${l}`)));
    lines.push(`    see ${r.hint} for hints`);
    return lines;
  }

  function result(r: CheckResult): void {
    switch (r.status) {
      case 'pass':
        return write([`${p.green(m.ok)} ${r.title}`, ...(r.message ? indent(r.message, '    ').map(p.dim) : [])]);
      case 'fail':
        return write([`${p.red(m.fail)} ${r.title}`, ...details(r)]);
      case 'warning':
        return write([`${p.yellow(m.warn)} ${r.title}`, ...details(r)]);
      case 'skip':
        return write([p.dim(`${m.skip} ${r.title} (skipped: ${stripAnsi(r.message ?? 'no reason given')})`)]);
    }
  }

  function end(report: CheckReport): void {
    const s = summarize(report.results);
    const lines = [''];
    if (report.abortedBy) lines.push(`${p.red(m.fail)} stopped after ${report.abortedBy} failed: the checks after it cannot pass`);
    if (report.success) {
      lines.push(`Status check results are ${p.green(m.ok)}${s.warnings ? ` (${problemsText(s)})` : ''}`);
    } else {
      lines.push(p.red(problemsText(s) || 'checks failed'));
    }
    write(lines);
  }

  return {
    onEvent(event: CheckEvent): void {
      switch (event.type) {
        case 'begin':
          return;
        case 'start':
          return header(event.check);
        case 'retry':
          if (waited.has(event.check.id)) return;
          waited.add(event.check.id);
          header(event.check);
          return write([p.dim(`${ellipsis} ${event.check.title} (waiting: ${stripAnsi(event.message).split('\n')[0]})`)]);
        case 'result':
          header(event.result);
          return result(event.result);
        case 'end':
          return end(event.report);
      }
    },
  };
}
