// JUnit XML renderer for CI test tabs: a testsuite per lab+level, a testcase per check, written when the run ends.
import type { CheckEvent, CheckRenderer, CheckReport, CheckResult } from '../types.ts';
import { groupResults, stripAnsi, summarize, type RenderOptions, type Sink } from './shared.ts';

/** Removes ANSI colour codes and characters XML 1.0 cannot carry (a stray ESC makes the whole file unparsable). */
export function xmlText(s: string): string {
  return stripAnsi(s)
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

export function xmlAttr(s: string): string {
  // Newlines in attributes would be normalised to spaces by parsers; keep them as character references.
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testcase(r: CheckResult): string[] {
  const open = `    <testcase name="${xmlAttr(r.title)}" classname="${xmlAttr(r.id)}" time="${seconds(r.durationMs)}"`;
  const body = [r.message, r.timedOut ? `gave up after ${r.attempts} attempts` : undefined, r.evidence, `see ${r.hint} for hints`].filter(Boolean).join('\n');
  switch (r.status) {
    case 'pass':
      return [`${open}/>`];
    case 'skip':
      return [`${open}>`, `      <skipped message="${xmlAttr(r.message ?? '')}"/>`, '    </testcase>'];
    case 'fail':
      return [`${open}>`, `      <failure message="${xmlAttr(r.message ?? 'failed')}" type="check failed">${xmlText(body)}</failure>`, '    </testcase>'];
    case 'warning':
      // JUnit has no warning state; a passing case with the warning in its output keeps CI green but visible.
      return [`${open}>`, `      <system-out>${xmlText(`warning: ${body}`)}</system-out>`, '    </testcase>'];
  }
}

export function toJunitXml(report: CheckReport, groupTitle: RenderOptions['groupTitle']): string {
  const total = summarize(report.results);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="edge-to-mesh checks" tests="${report.results.length}" failures="${total.failed}" errors="0" skipped="${total.skipped}" time="${seconds(report.durationMs)}">`,
  ];
  for (const g of groupResults(report.results)) {
    const s = summarize(g.results);
    const time = g.results.reduce((sum, r) => sum + r.durationMs, 0);
    lines.push(
      `  <testsuite name="${xmlAttr(groupTitle(g.lab, g.level))}" tests="${g.results.length}" failures="${s.failed}" errors="0" skipped="${s.skipped}" time="${seconds(time)}" timestamp="${xmlAttr(report.startedAt)}">`,
      ...g.results.flatMap(testcase),
      '  </testsuite>',
    );
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

export function junitRenderer(out: Sink, options: RenderOptions): CheckRenderer {
  return {
    onEvent(event: CheckEvent): void {
      if (event.type === 'end') out.write(toJunitXml(event.report, options.groupTitle));
    },
  };
}
