// httpRequest against real local servers: each failure mode maps to its own reason.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, createLeaf, type KeyPairPem } from '../../scripts/pki/x509.ts';
import { httpRequest, BODY_LIMIT } from '../../checks/probes/http.ts';
import { closedPort } from '../helpers/net.ts';

type Closable = { close(cb: () => void): unknown; address(): net.AddressInfo | string | null };
const servers: Closable[] = [];
let dir: string;
let ca: KeyPairPem;
let foreignCa: KeyPairPem;
let good: number;
let expired: number;
let future: number;
let plain: number;
let silent: number;

const sockets = new Set<net.Socket>();
async function listen<T extends Closable & { listen(port: number, host: string, cb: () => void): unknown; on(event: 'connection', cb: (s: net.Socket) => void): unknown }>(server: T): Promise<number> {
  // Track sockets so teardown can cut connections the silent server (and keep-alive) would hold open.
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as net.AddressInfo).port;
}

function echo(req: http.IncomingMessage, res: http.ServerResponse) {
  if (req.url === '/big') return res.end('x'.repeat(100 * 1024));
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ host: req.headers.host, path: req.url, sni: (req.socket as TLSSocket).servername ?? null, custom: req.headers['x-probe'] ?? null }));
}


beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'http-probe-'));
  ca = await createCa({ commonName: 'edge-to-mesh lab CA', pathLength: 0, validDays: 30 });
  foreignCa = await createCa({ commonName: 'someone else', pathLength: 0, validDays: 30 });
  const leaf = await createLeaf({ commonName: 'app.localhost', dnsNames: ['app.localhost'], issuer: ca, validDays: 30 });
  const old = await createLeaf({ commonName: 'app.localhost', dnsNames: ['app.localhost'], issuer: ca, validDays: 1, notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2020-01-02T00:00:00Z') });
  const later = await createLeaf({ commonName: 'app.localhost', dnsNames: ['app.localhost'], issuer: ca, validDays: 1, now: new Date(Date.now() + 10 * 86_400_000) });
  good = await listen(https.createServer({ key: leaf.keyPem, cert: leaf.certPem, minVersion: 'TLSv1.2' }, echo));
  expired = await listen(https.createServer({ key: old.keyPem, cert: old.certPem }, echo));
  future = await listen(https.createServer({ key: later.keyPem, cert: later.certPem }, echo));
  plain = await listen(
    http.createServer((req, res) => {
      if (req.url === '/old') {
        res.writeHead(301, { location: 'https://app.localhost/new' });
        return res.end();
      }
      echo(req, res);
    }),
  );
  // Accepts TCP and never answers: only a timeout can end the request.
  silent = await listen(net.createServer(() => {}));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
  rmSync(dir, { recursive: true, force: true });
});

describe('httpRequest over HTTPS', () => {
  it('connects to 127.0.0.1 while Host and SNI carry the hostname, and verifies against the CA', async () => {
    const r = await httpRequest({ url: `https://app.localhost:${good}/hello?x=1`, connectTo: '127.0.0.1', ca: ca.certPem, headers: { 'x-probe': 'yes' }, timeoutMs: 3000 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ host: `app.localhost:${good}`, path: '/hello?x=1', sni: 'app.localhost', custom: 'yes' });
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.tls).toMatchObject({ protocol: 'TLSv1.3', authorized: true, peer: { subject: 'app.localhost', issuer: 'edge-to-mesh lab CA', sans: ['app.localhost'] } });
    expect(r.timings.totalMs).toBeGreaterThanOrEqual(r.timings.firstByteMs!);
    expect(r.timings.tlsMs).toBeGreaterThanOrEqual(r.timings.connectMs!);
  });

  it('reads the CA from caFile', async () => {
    const caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, ca.certPem);
    const r = await httpRequest({ url: `https://app.localhost:${good}/`, connectTo: '127.0.0.1', caFile, timeoutMs: 3000 });
    expect(r.ok && r.status).toBe(200);
  });

  it('untrusted: the chain does not lead to the given CA', async () => {
    const r = await httpRequest({ url: `https://app.localhost:${good}/`, connectTo: '127.0.0.1', ca: foreignCa.certPem, timeoutMs: 3000 });
    expect(r).toMatchObject({ ok: false, reason: 'untrusted', message: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('untrusted: the system store does not know the lab CA', async () => {
    const r = await httpRequest({ url: `https://app.localhost:${good}/`, connectTo: '127.0.0.1', timeoutMs: 3000 });
    expect(r).toMatchObject({ ok: false, reason: 'untrusted' });
  });

  it('name mismatch: the certificate does not name the host', async () => {
    const r = await httpRequest({ url: `https://api.localhost:${good}/`, connectTo: '127.0.0.1', ca: ca.certPem, timeoutMs: 3000 });
    expect(r).toMatchObject({ ok: false, reason: 'name mismatch', message: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('name mismatch can also come from servername alone', async () => {
    const r = await httpRequest({ url: `https://app.localhost:${good}/`, connectTo: '127.0.0.1', servername: 'api.localhost', ca: ca.certPem, timeoutMs: 3000 });
    expect(r).toMatchObject({ ok: false, reason: 'name mismatch' });
  });

  it('expired', async () => {
    const r = await httpRequest({ url: `https://app.localhost:${expired}/`, connectTo: '127.0.0.1', ca: ca.certPem, timeoutMs: 3000 });
    expect(r).toMatchObject({ ok: false, reason: 'expired', message: 'CERT_HAS_EXPIRED' });
  });

  it('not yet valid', async () => {
    const r = await httpRequest({ url: `https://app.localhost:${future}/`, connectTo: '127.0.0.1', ca: ca.certPem, timeoutMs: 3000 });
    expect(r).toMatchObject({ ok: false, reason: 'not yet valid', message: 'CERT_NOT_YET_VALID' });
  });

  it('tls error: speaking TLS to a plain HTTP port', async () => {
    const r = await httpRequest({ url: `https://app.localhost:${plain}/`, connectTo: '127.0.0.1', ca: ca.certPem, timeoutMs: 3000 });
    expect(r).toMatchObject({ ok: false, reason: 'tls error' });
  });
});

describe('httpRequest over HTTP and transport failures', () => {
  it('does not follow redirects', async () => {
    const r = await httpRequest({ url: `http://app.localhost:${plain}/old`, connectTo: '127.0.0.1', timeoutMs: 3000 });
    expect(r).toMatchObject({ ok: true, status: 301, headers: { location: 'https://app.localhost/new' } });
    expect(r.ok && r.tls).toBeUndefined();
  });

  it('keeps only the first 64 KiB of a body', async () => {
    const r = await httpRequest({ url: `http://127.0.0.1:${plain}/big`, timeoutMs: 3000 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.body.length).toBe(BODY_LIMIT);
    expect(r.truncated).toBe(true);
  });

  it('connection refused on a closed port', async () => {
    const r = await httpRequest({ url: `http://127.0.0.1:${await closedPort()}/`, timeoutMs: 3000 });
    expect(r).toMatchObject({ ok: false, reason: 'connection refused', message: 'ECONNREFUSED' });
  });

  it('timeout when the server never answers', async () => {
    const started = Date.now();
    const r = await httpRequest({ url: `http://127.0.0.1:${silent}/`, timeoutMs: 300 });
    expect(r).toMatchObject({ ok: false, reason: 'timeout', message: 'PROBE_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
