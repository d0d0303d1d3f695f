// `lab probe tls|http`: the checks' own probes as a command, for instructors debugging a laptop.
import { existsSync, readFileSync } from 'node:fs';
import { probeTls } from '../../../checks/probes/tls.ts';
import { httpRequest } from '../../../checks/probes/http.ts';
import { ExitCode, UserError } from '../../lib/errors.ts';
import { paint, marks } from '../../lib/terminal.ts';
import type { Session } from '../session.ts';

function parseUrl(raw: string | undefined, schemes: string[]): URL {
  if (!raw) throw new UserError('a URL is required', `for example: npx lab probe ${schemes.includes('http:') ? 'http' : 'tls'} https://app.localhost/`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`"${raw}" is not a URL`, 'write it in full, like https://app.localhost:8443/');
  }
  if (!schemes.includes(url.protocol)) throw new UserError(`"${raw}" must use ${schemes.join(' or ')}`, 'for example: https://app.localhost/');
  return url;
}

function readCa(file: unknown): string | undefined {
  if (file === undefined) return undefined;
  const path = String(file);
  if (!existsSync(path)) throw new UserError(`CA file ${path} does not exist`, 'the lab CA is .lab/pki/lab-ca.crt once lab 04 has run');
  const pem = readFileSync(path, 'utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UserError(`${path} holds no PEM certificate`, 'pass the CA certificate (.crt), not its key');
  return pem;
}

function parseHeaders(values: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of (values as string[] | undefined) ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UserError(`header "${h}" is not "Name: value"`, `for example: -H 'x-user: alice'`);
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  return headers;
}

export async function probe(session: Session, positionals: string[], values: Record<string, unknown>): Promise<number> {
  const [kind, raw, ...extra] = positionals;
  if (extra.length) throw new UserError(`unexpected argument "${extra[0]}"`, 'see "npx lab help probe"');
  const out = (s = '') => session.io.stdout.write(s + '\n');
  const t = session.ui.terminal;
  const p = paint(t.color && !!session.io.stdout.isTTY);
  const m = marks(t.unicode);
  const json = values.output === 'json';
  if (values.output !== undefined && !json) throw new UserError(`unknown output "${String(values.output)}"`, 'use -o json, or leave it out');
  const ca = readCa(values.ca);
  const servername = values.servername as string | undefined;
  const connectTo = values['connect-to'] as string | undefined;

  if (kind === 'tls') {
    const url = parseUrl(raw, ['https:']);
    const verdict = await probeTls(url.href, { ...(ca ? { ca } : {}), ...(servername ? { servername } : {}), ...(connectTo ? { connectTo } : {}) });
    if (json) {
      out(JSON.stringify(verdict, null, 2));
    } else {
      out(`${verdict.ok ? p.green(m.ok) : p.red(m.fail)} ${verdict.target} (SNI ${verdict.servername ?? '-'}): ${verdict.ok ? 'trusted, name matches, in validity, TLS ≥ 1.2 only' : verdict.problems.join(', ')}`);
      if (verdict.protocol) out(`  protocol  ${verdict.protocol}   cipher ${verdict.cipher}`);
      verdict.chain.forEach((c, i) => {
        out(`  ${i === 0 ? 'leaf' : `chain[${i}]`}   subject ${c.subject}   issuer ${c.issuer}`);
        if (c.sans.length) out(`            SANs ${c.sans.join(', ')}`);
        out(`            valid ${c.validFrom} → ${c.validTo}`);
      });
      for (const d of verdict.details) out(`  ${d}`);
    }
    return verdict.ok ? ExitCode.ok : ExitCode.checkFailed;
  }
  if (kind === 'http') {
    const url = parseUrl(raw, ['http:', 'https:']);
    const expect = values['expect-status'] === undefined ? undefined : Number(values['expect-status']);
    if (expect !== undefined && !(Number.isInteger(expect) && expect >= 100 && expect <= 599)) {
      throw new UserError(`--expect-status ${String(values['expect-status'])} is not an HTTP status`, 'use a number from 100 to 599, like --expect-status 301');
    }
    const r = await httpRequest({
      url: url.href,
      headers: parseHeaders(values.header),
      timeoutMs: 10_000,
      ...(ca ? { ca } : {}),
      ...(servername ? { servername } : {}),
      ...(connectTo ? { connectTo } : {}),
    });
    const ok = r.ok && (expect === undefined || r.status === expect);
    if (json) {
      out(JSON.stringify({ ...r, ok, responded: r.ok, expectStatus: expect ?? null }, null, 2));
    } else if (!r.ok) {
      out(`${p.red(m.fail)} ${url.href}: ${r.reason} (${r.message})`);
    } else {
      out(`${ok ? p.green(m.ok) : p.red(m.fail)} ${url.href}: ${r.status}${expect !== undefined && !ok ? ` (expected ${expect})` : ''}`);
      for (const [k, v] of Object.entries(r.headers)) out(`  ${k}: ${Array.isArray(v) ? v.join(', ') : v}`);
      if (r.tls) out(`  tls ${r.tls.protocol} ${r.tls.cipher} authorized=${r.tls.authorized}`);
      if (r.body) out(`\n${r.body.slice(0, 2000)}`);
    }
    return ok ? ExitCode.ok : ExitCode.checkFailed;
  }
  throw new UserError(kind ? `unknown probe "${kind}"` : 'say which probe: tls or http', 'npx lab probe tls <https-url> | npx lab probe http <url>');
}
