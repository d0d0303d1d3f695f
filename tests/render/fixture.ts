// A fixed event sequence (pass, retried pass, fail with evidence, warning, skip) shared by the renderer tests.
import type { Check, CheckEvent, CheckLevel, CheckResult } from '../../checks/types.ts';
import { pass } from '../../checks/types.ts';

export const groupTitle = (lab: string, level: CheckLevel) => `${lab} ${lab === '01' ? 'cluster' : 'edge'} · ${level}`;

function check(id: string, title: string, lab: string, level: CheckLevel, extra: Partial<Check> = {}): Check {
  return { id, title, lab, level, hint: id.split('.')[1]!, run: async () => pass(), ...extra };
}

const nodeReady = check('cluster.node-ready', 'the node is Ready', '01', 'config');
const podsReady = check('cluster.pods-ready', 'system pods are Running', '01', 'config', { deadlineMs: 60_000 });
const tlsChain = check('edge.tls-chain', 'the edge certificate chains to the lab CA', '02', 'behaviour');
const tlsExpiry = check('edge.tls-expiry', 'the edge certificate is valid for at least 7 days', '02', 'behaviour', { warning: true });
const hsts = check('edge.hsts', 'HSTS is sent on <https://app.localhost> & "quoted"', '02', 'behaviour');

const hint = (c: Check, lab: string) => `labs/${lab}/README.md#${c.hint}`;

function result(c: Check, status: CheckResult['status'], fields: Partial<CheckResult>): CheckResult {
  return { id: c.id, title: c.title, lab: c.lab, level: c.level, status, hint: hint(c, c.lab === '01' ? '01-cluster' : '02-edge'), durationMs: 0, attempts: 1, ...fields };
}

export const evidence = Array.from({ length: 12 }, (_, i) => `line ${i + 1}: <peer> subject="CN=app.localhost" & issuer='CN=someone else'`).join('\n');

export function events(): CheckEvent[] {
  const checks = [nodeReady, podsReady, tlsChain, tlsExpiry, hsts];
  const results = [
    result(nodeReady, 'pass', { durationMs: 12 }),
    result(podsReady, 'pass', { durationMs: 10_480, attempts: 3, message: '4/4 pods Running' }),
    result(tlsChain, 'fail', { durationMs: 230, message: 'untrusted: the chain does not lead to the lab CA', evidence: `\x1b[31mred\x1b[39m\n${evidence}` }),
    result(tlsExpiry, 'warning', { durationMs: 5, message: 'expires in 3 days (less than 7)' }),
    result(hsts, 'skip', { message: 'the edge certificate is not trusted' }),
  ];
  const list: CheckEvent[] = [{ type: 'begin', checks }];
  list.push({ type: 'start', check: nodeReady }, { type: 'result', check: nodeReady, result: results[0]! });
  list.push(
    { type: 'start', check: podsReady },
    { type: 'retry', check: podsReady, attempt: 1, message: '\x1b[33m2/4\x1b[39m pods Running\nmore detail', remainingMs: 55_000 },
    { type: 'retry', check: podsReady, attempt: 2, message: '3/4 pods Running', remainingMs: 50_000 },
    { type: 'result', check: podsReady, result: results[1]! },
  );
  list.push({ type: 'start', check: tlsChain }, { type: 'result', check: tlsChain, result: results[2]! });
  list.push({ type: 'start', check: tlsExpiry }, { type: 'result', check: tlsExpiry, result: results[3]! });
  list.push({ type: 'start', check: hsts }, { type: 'result', check: hsts, result: results[4]! });
  list.push({ type: 'end', report: { success: false, startedAt: '2030-01-02T03:04:05.000Z', durationMs: 10_727, results } });
  return list;
}

/** A passing run with one warning: the success summary. */
export function successEvents(): CheckEvent[] {
  const r1 = result(nodeReady, 'pass', { durationMs: 3 });
  const r2 = result(tlsExpiry, 'warning', { durationMs: 4, message: 'expires in 3 days (less than 7)' });
  return [
    { type: 'begin', checks: [nodeReady, tlsExpiry] },
    { type: 'result', check: nodeReady, result: r1 },
    { type: 'result', check: tlsExpiry, result: r2 },
    { type: 'end', report: { success: true, startedAt: '2030-01-02T03:04:05.000Z', durationMs: 7, results: [r1, r2] } },
  ];
}

/** A fatal check that timed out and stopped the run. */
export function abortedEvents(): CheckEvent[] {
  const api = check('cluster.api', 'the API server answers', '01', 'config', { fatal: true, deadlineMs: 30_000 });
  const r = result(api, 'fail', { durationMs: 30_004, attempts: 6, timedOut: true, message: 'connection refused' });
  return [
    { type: 'begin', checks: [api] },
    { type: 'start', check: api },
    { type: 'result', check: api, result: r },
    { type: 'end', report: { success: false, startedAt: '2030-01-02T03:04:05.000Z', durationMs: 30_010, results: [r], abortedBy: 'cluster.api' } },
  ];
}

/** A string sink, as renderers accept any { write }. */
export function sink(): { write(s: string): void; text: string } {
  return {
    text: '',
    write(s: string) {
      this.text += s;
    },
  };
}
