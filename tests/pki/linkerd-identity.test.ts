// ensureLinkerdIdentity: the anchor/issuer pair Linkerd expects, reused when valid, remade when not.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLinkerdIdentity } from '../../scripts/pki/linkerd-identity.ts';
import { createCa, inspectCertificate } from '../../scripts/pki/x509.ts';
import { writeKeyPair } from '../../scripts/pki/store.ts';

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'l5d-test-')), 'pki');
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('ensureLinkerdIdentity', () => {
  it('creates the anchor and issuer Linkerd needs, as OpenSSL sees them', async () => {
    const id = await ensureLinkerdIdentity(dir);
    expect(id.trustAnchor).toEqual({ certPath: join(dir, 'linkerd-trust-anchor.crt'), keyPath: join(dir, 'linkerd-trust-anchor.key') });
    expect(id.issuer).toEqual({ certPath: join(dir, 'linkerd-issuer.crt'), keyPath: join(dir, 'linkerd-issuer.key') });
    expect(id.generated).toEqual({ trustAnchor: true, issuer: true });

    const anchor = openssl('x509', '-in', id.trustAnchor.certPath, '-text', '-noout');
    expect(anchor).toContain('Subject: CN = root.linkerd.cluster.local');
    expect(anchor).toContain('ASN1 OID: prime256v1');
    expect(anchor).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:1/);
    expect(anchor).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);

    const issuer = openssl('x509', '-in', id.issuer.certPath, '-text', '-noout');
    expect(issuer).toContain('Subject: CN = identity.linkerd.cluster.local');
    expect(issuer).toContain('Issuer: CN = root.linkerd.cluster.local');
    expect(issuer).toContain('ASN1 OID: prime256v1');
    expect(issuer).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);

    expect(openssl('verify', '-CAfile', id.trustAnchor.certPath, id.issuer.certPath).trim()).toBe(`${id.issuer.certPath}: OK`);
    expect(statSync(id.trustAnchor.keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(id.issuer.keyPath).mode & 0o777).toBe(0o600);
  });

  it('has the lifetimes Linkerd docs use: anchor 10 years, issuer 1 year', async () => {
    const now = new Date('2031-03-01T00:00:00Z');
    const id = await ensureLinkerdIdentity(dir, { now });
    expect(inspectCertificate(readFileSync(id.trustAnchor.certPath, 'utf8')).notAfter.toISOString()).toBe('2041-02-26T00:00:00.000Z');
    expect(inspectCertificate(readFileSync(id.issuer.certPath, 'utf8')).notAfter.toISOString()).toBe('2032-02-29T00:00:00.000Z'); // 365 days across 29 Feb 2032
    expect(openssl('x509', '-in', id.issuer.certPath, '-noout', '-enddate').trim()).toBe('notAfter=Feb 29 00:00:00 2032 GMT');
  });

  it('reuses valid files on the second run', async () => {
    const first = await ensureLinkerdIdentity(dir);
    const before = readFileSync(first.issuer.certPath, 'utf8');
    const second = await ensureLinkerdIdentity(dir);
    expect(second.generated).toEqual({ trustAnchor: false, issuer: false });
    expect(second.reasons).toEqual([]);
    expect(readFileSync(second.issuer.certPath, 'utf8')).toBe(before);
  });

  it('rotates everything with rotate:true, and only the issuer with rotate:"issuer"', async () => {
    const first = await ensureLinkerdIdentity(dir);
    const anchor1 = readFileSync(first.trustAnchor.certPath, 'utf8');
    const issuer1 = readFileSync(first.issuer.certPath, 'utf8');
    const onlyIssuer = await ensureLinkerdIdentity(dir, { rotate: 'issuer' });
    expect(onlyIssuer.generated).toEqual({ trustAnchor: false, issuer: true });
    expect(readFileSync(first.trustAnchor.certPath, 'utf8')).toBe(anchor1);
    expect(readFileSync(first.issuer.certPath, 'utf8')).not.toBe(issuer1);
    const all = await ensureLinkerdIdentity(dir, { rotate: true });
    expect(all.generated).toEqual({ trustAnchor: true, issuer: true });
    expect(readFileSync(first.trustAnchor.certPath, 'utf8')).not.toBe(anchor1);
  });

  it('reissues the issuer when it expires within 60 days', async () => {
    const now = new Date();
    await ensureLinkerdIdentity(dir, { now: new Date(now.getTime() - 310 * 86_400_000) });
    const again = await ensureLinkerdIdentity(dir, { now });
    expect(again.generated).toEqual({ trustAnchor: false, issuer: true });
    expect(again.reasons).toEqual(['issuer: linkerd-issuer expires in 54 days (less than 60)']);
  });

  it('reissues an issuer that does not chain to the stored anchor', async () => {
    const id = await ensureLinkerdIdentity(dir);
    const stranger = await createCa({ commonName: 'root.linkerd.cluster.local', pathLength: 1, validDays: 3650 });
    writeKeyPair(dir, 'linkerd-issuer', await createCa({ commonName: 'identity.linkerd.cluster.local', pathLength: 0, validDays: 365, issuer: stranger }));
    const again = await ensureLinkerdIdentity(dir);
    expect(again.generated).toEqual({ trustAnchor: false, issuer: true });
    expect(again.reasons[0]).toMatch(/^issuer: linkerd-issuer does not chain to its CA: /);
    expect(openssl('verify', '-CAfile', id.trustAnchor.certPath, id.issuer.certPath).trim()).toBe(`${id.issuer.certPath}: OK`);
  });

  it('replaces an anchor of the wrong shape, and then the issuer too', async () => {
    writeKeyPair(dir, 'linkerd-trust-anchor', await createCa({ commonName: 'root.linkerd.cluster.local', pathLength: 1, validDays: 3650, keyAlgorithm: 'P-384' }));
    writeFileSync(join(dir, 'marker'), '');
    const id = await ensureLinkerdIdentity(dir);
    expect(id.generated).toEqual({ trustAnchor: true, issuer: true });
    expect(id.reasons[0]).toBe('trust anchor: linkerd-trust-anchor uses P-384, expected P-256');
  });
});
