// A real TLS handshake with Linkerd-shaped certificates: a client trusting only the anchor accepts a workload leaf.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLinkerdIdentity } from '../../scripts/pki/linkerd-identity.ts';
import { createCa, createLeaf, type KeyPairPem } from '../../scripts/pki/x509.ts';

const SERVICE = 'web.default.serviceaccount.identity.linkerd.cluster.local';
let dir: string;
let anchorPem: string;
let server: tls.Server;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'handshake-test-'));
  const id = await ensureLinkerdIdentity(join(dir, 'pki'));
  anchorPem = readFileSync(id.trustAnchor.certPath, 'utf8');
  const issuer: KeyPairPem = { certPem: readFileSync(id.issuer.certPath, 'utf8'), keyPem: readFileSync(id.issuer.keyPath, 'utf8') };
  const workload = await createLeaf({ commonName: SERVICE, dnsNames: [SERVICE], issuer, validDays: 1, serverAuth: true, clientAuth: true });
  // The server sends leaf + issuer, like a Linkerd proxy does; the client holds only the anchor.
  server = tls.createServer({ key: workload.keyPem, cert: workload.certPem + issuer.certPem }, (socket) => socket.end('hello'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function connect(ca: string): Promise<{ authorized: boolean; error?: string; data?: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: SERVICE, ca, rejectUnauthorized: false }, () => {
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => resolve({ authorized: socket.authorized, error: socket.authorizationError?.toString(), data }));
    });
    socket.on('error', (error) => resolve({ authorized: false, error: String(error) }));
  });
}

describe('TLS handshake with the Linkerd identity chain', () => {
  it('is authorized when the client trusts the anchor and the server sends the issuer', async () => {
    const result = await connect(anchorPem);
    expect(result).toEqual({ authorized: true, error: undefined, data: 'hello' });
  });

  it('is refused when the client trusts a foreign anchor', async () => {
    const foreign = await createCa({ commonName: 'root.linkerd.cluster.local', pathLength: 1, validDays: 10 });
    const result = await connect(foreign.certPem);
    expect(result.authorized).toBe(false);
    expect(result.error).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });
});
