// inspectTls, acceptsProtocol and probeTls against real local TLS servers, each in a passing and a failing setup.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import tls from 'node:tls';
import net from 'node:net';
import { createCa, createLeaf, type KeyPairPem } from '../../scripts/pki/x509.ts';
import { acceptsProtocol, inspectTls, probeTls } from '../../checks/probes/tls.ts';
import { closedPort } from '../helpers/net.ts';

const servers: tls.Server[] = [];
let ca: KeyPairPem;
let foreignCa: KeyPairPem;
let modern: number;
let legacyServer: number;
let expiredPort: number;
/** Set when this machine's OpenSSL cannot do a TLS 1.0 handshake even at SECLEVEL=0. */
let tls10Limitation: string | undefined;

async function serve(options: tls.TlsOptions): Promise<number> {
  const server = tls.createServer(options, (socket) => socket.end('ok'));
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as net.AddressInfo).port;
}


/** A raw TLS 1.0 handshake against the legacy server tells whether the local OpenSSL can do it at all. */
function tryTls10(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, () => {
      s.destroy();
      resolve(undefined);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(`OpenSSL ${process.versions.openssl} refuses a TLS 1.0 handshake even at SECLEVEL=0 (${e.code ?? e.message})`));
  });
}

beforeAll(async () => {
  ca = await createCa({ commonName: 'edge-to-mesh lab CA', pathLength: 0, validDays: 30 });
  foreignCa = await createCa({ commonName: 'someone else', pathLength: 0, validDays: 30 });
  const leaf = await createLeaf({ commonName: 'app.localhost', dnsNames: ['app.localhost'], issuer: ca, validDays: 30 });
  const old = await createLeaf({ commonName: 'app.localhost', dnsNames: ['app.localhost'], issuer: ca, validDays: 1, notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2020-01-02T00:00:00Z') });
  modern = await serve({ key: leaf.keyPem, cert: leaf.certPem, minVersion: 'TLSv1.2' });
  // What an unhardened ingress looks like: TLS 1.0 allowed, legacy ciphers enabled.
  legacyServer = await serve({ key: leaf.keyPem, cert: leaf.certPem, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
  expiredPort = await serve({ key: old.keyPem, cert: old.certPem, minVersion: 'TLSv1.2' });
  tls10Limitation = await tryTls10(legacyServer);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

const target = (port: number) => ({ host: '127.0.0.1', port, servername: 'app.localhost', timeoutMs: 3000 });

describe('inspectTls', () => {
  it('authorized with the right CA, and describes the chain', async () => {
    const r = await inspectTls({ ...target(modern), ca: ca.certPem });
    expect(r.authorized).toBe(true);
    expect(r.reason).toBeUndefined();
    expect(r.protocol).toBe('TLSv1.3');
    expect(r.cipher).toMatch(/^TLS_/);
    expect(r.chain[0]).toMatchObject({ subject: 'app.localhost', issuer: 'edge-to-mesh lab CA', sans: ['app.localhost'] });
    expect(Date.parse(r.chain[0]!.validTo)).toBeGreaterThan(Date.now());
  });

  it('untrusted with a foreign CA, but still describes what it saw', async () => {
    const r = await inspectTls({ ...target(modern), ca: foreignCa.certPem });
    expect(r).toMatchObject({ authorized: false, reason: 'untrusted', detail: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', protocol: 'TLSv1.3' });
    expect(r.chain[0]!.subject).toBe('app.localhost');
  });

  it('name mismatch', async () => {
    const r = await inspectTls({ ...target(modern), servername: 'api.localhost', ca: ca.certPem });
    expect(r).toMatchObject({ authorized: false, reason: 'name mismatch', detail: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('expired', async () => {
    const r = await inspectTls({ ...target(expiredPort), ca: ca.certPem });
    expect(r).toMatchObject({ authorized: false, reason: 'expired', detail: 'CERT_HAS_EXPIRED' });
    expect(r.chain[0]!.validTo).toBe('2020-01-02T00:00:00.000Z');
  });

  it('connection refused', async () => {
    const r = await inspectTls({ ...target(await closedPort()), ca: ca.certPem });
    expect(r).toMatchObject({ authorized: false, reason: 'connection refused', protocol: null, chain: [] });
  });
});

describe('acceptsProtocol', () => {
  it('a TLS 1.2-minimum server refuses 1.0 and 1.1 and accepts 1.2 and 1.3', async () => {
    expect(await acceptsProtocol({ ...target(modern), version: 'TLSv1' })).toBe(false);
    expect(await acceptsProtocol({ ...target(modern), version: 'TLSv1.1' })).toBe(false);
    expect(await acceptsProtocol({ ...target(modern), version: 'TLSv1.2' })).toBe(true);
    expect(await acceptsProtocol({ ...target(modern), version: 'TLSv1.3' })).toBe(true);
  });

  it('a server allowing TLSv1 is seen accepting 1.0 and 1.1', async (ctx) => {
    if (tls10Limitation) ctx.skip(tls10Limitation);
    expect(await acceptsProtocol({ ...target(legacyServer), version: 'TLSv1' })).toBe(true);
    expect(await acceptsProtocol({ ...target(legacyServer), version: 'TLSv1.1' })).toBe(true);
  });

  it('rejects (rather than answering false) when nothing listens', async () => {
    await expect(acceptsProtocol({ ...target(await closedPort()), version: 'TLSv1' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('probeTls', () => {
  it('ok for a trusted, matching, current certificate on a TLS 1.2+ server', async () => {
    const v = await probeTls(`https://app.localhost:${modern}`, { connectTo: '127.0.0.1', ca: ca.certPem, timeoutMs: 3000 });
    expect(v).toMatchObject({ ok: true, problems: [], details: [], protocol: 'TLSv1.3', servername: 'app.localhost', legacy: { TLSv1: false, 'TLSv1.1': false } });
  });

  it('old protocol accepted when the server allows TLS 1.0/1.1', async (ctx) => {
    if (tls10Limitation) ctx.skip(tls10Limitation);
    const v = await probeTls(`https://app.localhost:${legacyServer}`, { connectTo: '127.0.0.1', ca: ca.certPem, timeoutMs: 3000 });
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual(['old protocol accepted']);
    expect(v.details).toEqual(['old protocol accepted: server accepts TLSv1', 'old protocol accepted: server accepts TLSv1.1']);
    expect(v.protocol).toBe('TLSv1.3');
  });

  it('untrusted when the chain does not lead to the CA', async () => {
    const v = await probeTls(`https://app.localhost:${modern}`, { connectTo: '127.0.0.1', ca: foreignCa.certPem, timeoutMs: 3000 });
    expect(v).toMatchObject({ ok: false, problems: ['untrusted'], details: ['untrusted: verification failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE'] });
  });

  it('untrusted against the system store when no CA is given', async () => {
    const v = await probeTls(`https://app.localhost:${modern}`, { connectTo: '127.0.0.1', timeoutMs: 3000 });
    expect(v.problems).toEqual(['untrusted']);
  });

  it('name mismatch, reported even alongside other problems', async () => {
    const v = await probeTls(`https://api.localhost:${modern}`, { connectTo: '127.0.0.1', ca: ca.certPem, timeoutMs: 3000 });
    expect(v.problems).toEqual(['name mismatch']);
    expect(v.details).toEqual(['name mismatch: certificate is valid for app.localhost, not api.localhost']);
    const both = await probeTls(`https://api.localhost:${expiredPort}`, { connectTo: '127.0.0.1', ca: ca.certPem, timeoutMs: 3000 });
    expect(both.problems).toEqual(['name mismatch', 'expired']);
  });

  it('expired', async () => {
    const v = await probeTls(`https://app.localhost:${expiredPort}`, { connectTo: '127.0.0.1', ca: ca.certPem, timeoutMs: 3000 });
    expect(v.problems).toEqual(['expired']);
    expect(v.details).toEqual(['expired: certificate expired on 2020-01-02T00:00:00.000Z']);
  });

  it('connection refused', async () => {
    const port = await closedPort();
    const v = await probeTls(`https://app.localhost:${port}`, { connectTo: '127.0.0.1', ca: ca.certPem, timeoutMs: 3000 });
    expect(v).toMatchObject({ ok: false, problems: ['connection refused'], details: [`connection refused: 127.0.0.1:${port}: ECONNREFUSED`], legacy: {} });
  });
});
