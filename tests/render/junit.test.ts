// The JUnit renderer: golden XML, escaping, and a parse by a real XML parser when one is on the machine.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { junitRenderer, xmlAttr, xmlText } from '../../checks/render/junit.ts';
import { events, groupTitle, sink } from './fixture.ts';
import { expectGolden } from './golden.ts';

function render(): string {
  const out = sink();
  const r = junitRenderer(out, { groupTitle });
  for (const e of events()) r.onEvent(e);
  return out.text;
}

describe('junitRenderer', () => {
  it('matches the golden XML', () => {
    expectGolden('report.xml', render());
  });

  it('has one suite per lab+level and one case per check, with failure and skipped', () => {
    const xml = render();
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml.match(/<skipped /g)).toHaveLength(1);
    expect(xml).toContain('<testsuites name="edge-to-mesh checks" tests="5" failures="1" errors="0" skipped="1"');
    expect(xml).toContain('<testcase name="the node is Ready" classname="cluster.node-ready" time="0.012"/>');
  });

  it('escapes markup and drops control characters', () => {
    const xml = render();
    expect(xml).toContain('name="HSTS is sent on &lt;https://app.localhost&gt; &amp; &quot;quoted&quot;"');
    expect(xml).toContain("line 1: &lt;peer&gt; subject=\"CN=app.localhost\" &amp; issuer='CN=someone else'");
    expect(xml).not.toContain('\x1b');
    expect(xmlAttr('a\n"b"\x00')).toBe('a&#10;&quot;b&quot;');
    expect(xmlText('x < y & z\x07')).toBe('x &lt; y &amp; z');
  });

  it('is well-formed XML for a real parser', (ctx) => {
    const py = spawnSync('python3', ['-c', 'import sys, xml.dom.minidom as m; d = m.parseString(sys.stdin.buffer.read()); print(len(d.getElementsByTagName("testcase")))'], {
      input: render(),
      encoding: 'utf8',
    });
    if (py.error) ctx.skip('python3 is not installed, so no XML parser to cross-check with');
    expect(py.stderr).toBe('');
    expect(py.stdout.trim()).toBe('5');
  });
});
