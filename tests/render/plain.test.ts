// The CI renderer: one line per result, same details, never any ANSI.
import { describe, it, expect } from 'vitest';
import { plainRenderer } from '../../checks/render/plain.ts';
import { events, groupTitle, sink, successEvents } from './fixture.ts';
import { expectGolden } from './golden.ts';
import type { CheckEvent } from '../../checks/types.ts';

function render(list: CheckEvent[], color: boolean): string {
  const out = sink();
  const r = plainRenderer(out, { color, unicode: true, groupTitle });
  for (const e of list) r.onEvent(e);
  return out.text;
}

describe('plainRenderer', () => {
  it('matches the golden output', () => {
    expectGolden('plain.txt', render(events(), false));
  });

  it('has no ANSI escapes even when colour is requested and evidence carries some', () => {
    const text = render(events(), true);
    expect(text).not.toContain('\x1b');
    expect(text).toContain('\n      red\n');
    expect(text).toContain('WAIT cluster.pods-ready  waiting: 2/4 pods Running\n');
  });

  it('writes one status line per result', () => {
    const lines = render(events(), false).split('\n').filter((l) => /^(PASS|FAIL|WARN|SKIP) /.test(l));
    expect(lines).toEqual([
      'PASS cluster.node-ready  the node is Ready',
      'PASS cluster.pods-ready  system pods are Running',
      'FAIL edge.tls-chain  the edge certificate chains to the lab CA',
      'WARN edge.tls-expiry  the edge certificate is valid for at least 7 days',
      'SKIP edge.hsts  HSTS is sent on <https://app.localhost> & "quoted" (skipped: the edge certificate is not trusted)',
    ]);
  });

  it('ends with a grep-able summary', () => {
    expect(render(events(), false).endsWith('\nFAILED  2 passed, 1 failed, 1 warning, 1 skipped\n')).toBe(true);
    expect(render(successEvents(), false).endsWith('\nOK  1 passed, 0 failed, 1 warning, 0 skipped\n')).toBe(true);
  });
});
