// `lab probe tls|http` as an instructor runs it, against real servers on loopback: passing and each failing setup.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, createLeaf, type KeyPairPem } from '../../scripts/pki/x509.ts';
import { lab } from '../helpers/cli.ts';

const servers: net.Server[] = [];
let dir: string;
let caFile: string;
let foreignCaFile: string;
const port: Record<string, number> = {};
let env: NodeJS.ProcessEnv;

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'probe-'));
  env = { ...process.env, CI: 'true', NO_COLOR: '1', LAB_HOME: join(dir, 'lab') };
  const ca: KeyPairPem = await createCa({ commonName: 'edge-to-mesh lab CA', pathLength: 0, validDays: 30 });
  const foreign = await createCa({ commonName: 'someone else', pathLength: 0, validDays: 30 });
  caFile = join(dir, 'lab-ca.crt');
  foreignCaFile = join(dir, 'foreign.crt');
  writeFileSync(caFile, ca.certPem);
  writeFileSync(foreignCaFile, foreign.certPem);
  const leaf = await createLeaf({ commonName: 'app.localhost', dnsNames: ['app.localhost'], issuer: ca, validDays: 30 });
  const other = await createLeaf({ commonName: 'other.localhost', dnsNames: ['other.localhost'], issuer: ca, validDays: 30 });
  const old = await createLeaf({ commonName: 'app.localhost', dnsNames: ['app.localhost'], issuer: ca, validDays: 1, notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2020-01-02T00:00:00Z') });
  const app = (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ hostname: 'frontend-7d9c', seen: req.headers['x-user'] ?? null }));
  };
  port.good = await listen(https.createServer({ key: leaf.keyPem, cert: leaf.certPem, minVersion: 'TLSv1.2' }, app));
  port.mismatch = await listen(https.createServer({ key: other.keyPem, cert: other.certPem, minVersion: 'TLSv1.2' }, app));
  port.expired = await listen(https.createServer({ key: old.keyPem, cert: old.certPem, minVersion: 'TLSv1.2' }, app));
  port.legacy = await listen(https.createServer({ key: leaf.keyPem, cert: leaf.certPem, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, app));
  port.redirect = await listen(
    http.createServer((req, res) => {
      res.writeHead(301, { location: `https://app.localhost${req.url}` });
      res.end();
    }),
  );
  const closed = net.createServer();
  port.closed = await listen(closed);
  await new Promise((r) => closed.close(r));
  servers.splice(servers.indexOf(closed), 1);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

const tlsArgs = (p: number, ca = caFile) => ['probe', 'tls', `https://app.localhost:${p}/`, '--connect-to', '127.0.0.1', '--ca', ca];

describe('lab probe tls', () => {
  it('exits 0 and prints what it saw for a good endpoint', async () => {
    const r = await lab(tlsArgs(port.good!), env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trusted, name matches, in validity, TLS ≥ 1\.2 only/);
    expect(r.stdout).toMatch(/protocol\s+TLSv1\.3/);
    expect(r.stdout).toMatch(/SANs app\.localhost/);
    expect(r.stdout).toMatch(/issuer .*edge-to-mesh lab CA/);
  });

  it.each([
    ['untrusted', () => tlsArgs(port.good!, foreignCaFile), /untrusted/],
    ['name mismatch', () => tlsArgs(port.mismatch!), /name mismatch/],
    ['expired', () => tlsArgs(port.expired!), /expired/],
    ['old protocol accepted', () => tlsArgs(port.legacy!), /old protocol accepted/],
    ['connection refused', () => tlsArgs(port.closed!), /connection refused/],
  ])('exits 1 naming the reason: %s', async (_name, args, reason) => {
    const r = await lab(args(), env);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(reason);
  });

  it('-o json is the verdict as data', async () => {
    const r = await lab([...tlsArgs(port.mismatch!), '-o', 'json'], env);
    const verdict = JSON.parse(r.stdout);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toContain('name mismatch');
    expect(verdict.chain[0].sans).toEqual(['other.localhost']);
  });

  it('bad input is exit 2 with what to do', async () => {
    expect((await lab(['probe', 'tls', 'http://app.localhost/'], env)).stderr).toMatch(/must use https:/);
    const missing = await lab(['probe', 'tls', 'https://app.localhost/', '--ca', join(dir, 'nope.crt')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/CA file .*nope\.crt does not exist/);
    expect((await lab(['probe', 'udp', 'x'], env)).stderr).toMatch(/unknown probe "udp"/);
  });
});

describe('lab probe http', () => {
  it('checks the expected status of a redirect', async () => {
    const url = `http://app.localhost:${port.redirect}/some/path`;
    const ok = await lab(['probe', 'http', url, '--connect-to', '127.0.0.1', '--expect-status', '301'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/location: https:\/\/app\.localhost\/some\/path/);
    const wrong = await lab(['probe', 'http', url, '--connect-to', '127.0.0.1', '--expect-status', '200'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/301 \(expected 200\)/);
  });

  it('sends headers over verified TLS', async () => {
    const r = await lab(['probe', 'http', `https://app.localhost:${port.good}/`, '--connect-to', '127.0.0.1', '--ca', caFile, '-H', 'X-User: alice', '-o', 'json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe(200);
    expect(JSON.parse(out.body)).toEqual({ hostname: 'frontend-7d9c', seen: 'alice' });
    expect(out.tls.authorized).toBe(true);
  });

  it('fails on an untrusted certificate, and on a refused connection', async () => {
    const untrusted = await lab(['probe', 'http', `https://app.localhost:${port.good}/`, '--connect-to', '127.0.0.1', '--ca', foreignCaFile], env);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stdout).toMatch(/untrusted/);
    const refused = await lab(['probe', 'http', `http://127.0.0.1:${port.closed}/`], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/connection refused/);
  });

  it('rejects a malformed header or status with exit 2', async () => {
    const h = await lab(['probe', 'http', 'http://127.0.0.1:1/', '-H', 'no-colon'], env);
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/is not "Name: value"/);
    const s = await lab(['probe', 'http', 'http://127.0.0.1:1/', '--expect-status', 'ok'], env);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/is not an HTTP status/);
  });
});
