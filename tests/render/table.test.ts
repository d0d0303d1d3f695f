// The linkerd-style table renderer: golden output, colour on/off, retry note once, evidence trimmed.
import { describe, it, expect } from 'vitest';
import { tableRenderer } from '../../checks/render/table.ts';
import { abortedEvents, events, groupTitle, sink, successEvents } from './fixture.ts';
import { expectGolden } from './golden.ts';
import type { CheckEvent } from '../../checks/types.ts';

function render(list: CheckEvent[], options: { color?: boolean; unicode?: boolean }): string {
  const out = sink();
  const r = tableRenderer(out, { ...options, groupTitle });
  for (const e of list) r.onEvent(e);
  return out.text;
}

const ESC = '\x1b[';

describe('tableRenderer', () => {
  it('matches the golden output (unicode, no colour)', () => {
    expectGolden('table.txt', render(events(), { color: false, unicode: true }));
  });

  it('matches the golden output with ASCII marks', () => {
    expectGolden('table-ascii.txt', render(events(), { color: false, unicode: false }));
  });

  it('uses ANSI colour only when asked', () => {
    const coloured = render(events(), { color: true, unicode: true });
    expect(coloured).toContain(`${ESC}32m✓${ESC}39m the node is Ready`);
    expect(coloured).toContain(`${ESC}31m✗${ESC}39m the edge certificate chains to the lab CA`);
    const plain = render(events(), { color: false, unicode: true });
    expect(plain).not.toContain('\x1b');
  });

  it('prints the group headers underlined to their width', () => {
    const text = render(events(), { color: false });
    expect(text.startsWith('01 cluster · config\n-------------------\n✓ the node is Ready\n')).toBe(true);
    expect(text).toContain('\n\n02 edge · behaviour\n-------------------\n');
  });

  it('shows the retry note once, with the first error only', () => {
    const text = render(events(), { color: false });
    expect(text.match(/waiting:/g)).toHaveLength(1);
    expect(text).toContain('… system pods are Running (waiting: 2/4 pods Running)\n✓ system pods are Running\n');
    expect(text).not.toContain('3/4');
  });

  it('shows a failure with message, 10 evidence lines, a count of the rest, and the hint', () => {
    const text = render(events(), { color: false });
    const block = text.slice(text.indexOf('✗'), text.indexOf('‼'));
    expect(block.split('\n').slice(0, 2)).toEqual(['✗ the edge certificate chains to the lab CA', '    untrusted: the chain does not lead to the lab CA']);
    // The evidence's first line is ANSI-coloured "red": shown without its escapes, then lines 1-9 (10 in all).
    expect(block).toContain('\n      red\n      line 1:');
    expect(block).toContain('      line 9:');
    expect(block).not.toContain('line 10:');
    expect(block).toContain('      … 3 more lines (all of it in -o json)\n');
    expect(block).toContain('    see labs/02-edge/README.md#tls-chain for hints\n');
  });

  it('summarises a failed run by count and a passing run with a check mark', () => {
    expect(render(events(), { color: false }).endsWith('\n1 check failed, 1 warning\n')).toBe(true);
    expect(render(successEvents(), { color: false }).endsWith('\nStatus check results are ✓ (1 warning)\n')).toBe(true);
  });

  it('says when a check gave up at its deadline and when a fatal failure stopped the run', () => {
    expect(render(abortedEvents(), { color: false })).toBe(
      [
        '01 cluster · config',
        '-------------------',
        '✗ the API server answers',
        '    connection refused',
        '    gave up after 6 attempts',
        '    see labs/01-cluster/README.md#api for hints',
        '',
        '✗ stopped after cluster.api failed: the checks after it cannot pass',
        '1 check failed',
        '',
      ].join('\n'),
    );
  });
});
