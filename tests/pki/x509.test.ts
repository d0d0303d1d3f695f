// createCa/createLeaf produce what OpenSSL agrees with; inspectCertificate and verifyChain read them back.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, createLeaf, inspectCertificate, verifyChain, keyMatchesCertificate, splitPemBundle, type KeyPairPem } from '../../scripts/pki/x509.ts';

let dir: string;
let root: KeyPairPem;
let intermediate: KeyPairPem;
let leaf: KeyPairPem;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'x509-test-'));
  root = await createCa({ commonName: 'test root', pathLength: 1, validDays: 3650 });
  intermediate = await createCa({ commonName: 'test intermediate', pathLength: 0, validDays: 365, issuer: root });
  leaf = await createLeaf({ commonName: 'app.localhost', dnsNames: ['app.localhost', 'api.localhost'], ipAddresses: ['127.0.0.1'], issuer: intermediate, validDays: 90 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createCa', () => {
  it('makes a P-256 root OpenSSL reads as CA:TRUE pathlen:1 with critical key usage', () => {
    const text = openssl('x509', '-in', file('root.crt', root.certPem), '-text', '-noout');
    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:1/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toContain('X509v3 Subject Key Identifier');
    expect(text).toContain('X509v3 Authority Key Identifier');
    expect(text).toContain('Subject: CN = test root');
  });

  it('signs an intermediate with pathlen:0 that openssl verify accepts against the root', () => {
    const text = openssl('x509', '-in', file('int.crt', intermediate.certPem), '-text', '-noout');
    expect(text).toMatch(/CA:TRUE, pathlen:0/);
    expect(text).toContain('Issuer: CN = test root');
    expect(openssl('verify', '-CAfile', file('root.crt', root.certPem), file('int.crt', intermediate.certPem)).trim()).toBe(`${join(dir, 'int.crt')}: OK`);
  });

  it('writes PKCS#8 keys that belong to their certificates', () => {
    expect(root.keyPem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
    expect(keyMatchesCertificate(root.certPem, root.keyPem)).toBe(true);
    expect(keyMatchesCertificate(root.certPem, intermediate.keyPem)).toBe(false);
    const parsed = openssl('pkey', '-in', file('root.key', root.keyPem), '-noout', '-text');
    expect(parsed).toContain('ASN1 OID: prime256v1');
  });

  it('sets validity from validDays, backdated a few minutes for clock skew', () => {
    const now = new Date('2030-06-01T12:00:00Z');
    return createCa({ commonName: 'dated', pathLength: 0, validDays: 10, now }).then((ca) => {
      const info = inspectCertificate(ca.certPem);
      expect(info.notBefore.toISOString()).toBe('2030-06-01T11:55:00.000Z');
      expect(info.notAfter.toISOString()).toBe('2030-06-11T12:00:00.000Z');
      const text = openssl('x509', '-in', file('dated.crt', ca.certPem), '-noout', '-enddate');
      expect(text.trim()).toBe('notAfter=Jun 11 12:00:00 2030 GMT');
    });
  });

  it('uses random positive 16-byte serials', async () => {
    const a = inspectCertificate(root.certPem).serialNumber;
    const b = inspectCertificate(intermediate.certPem).serialNumber;
    expect(a).toMatch(/^[4-7][0-9a-f]{31}$/);
    expect(a).not.toBe(b);
  });
});

describe('createLeaf', () => {
  it('has digitalSignature, serverAuth and the SANs, and verifies through the intermediate', () => {
    const text = openssl('x509', '-in', file('leaf.crt', leaf.certPem), '-text', '-noout');
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Server Authentication\n/);
    expect(text).toContain('DNS:app.localhost, DNS:api.localhost, IP Address:127.0.0.1');
    expect(text).toContain('CA:FALSE');
    const out = openssl('verify', '-CAfile', file('root.crt', root.certPem), '-untrusted', file('int.crt', intermediate.certPem), file('leaf.crt', leaf.certPem));
    expect(out.trim()).toBe(`${join(dir, 'leaf.crt')}: OK`);
  });

  it('adds clientAuth when asked', async () => {
    const both = await createLeaf({ commonName: 'svc', dnsNames: ['svc'], issuer: intermediate, validDays: 1, serverAuth: true, clientAuth: true });
    expect(inspectCertificate(both.certPem).extKeyUsage).toEqual(['serverAuth', 'clientAuth']);
  });
});

describe('inspectCertificate', () => {
  it('reports shape, curve, SANs and a fingerprint equal to OpenSSL', () => {
    const info = inspectCertificate(leaf.certPem);
    expect(info.subject).toBe('CN=app.localhost');
    expect(info.commonName).toBe('app.localhost');
    expect(info.issuer).toBe('CN=test intermediate');
    expect(info.isCa).toBe(false);
    expect(info.pathLength).toBeUndefined();
    expect(info.keyUsage).toEqual(['digitalSignature']);
    expect(info.curve).toBe('P-256');
    expect(info.sans).toEqual(['app.localhost', 'api.localhost', '127.0.0.1']);
    expect(info.selfSigned).toBe(false);
    const fp = openssl('x509', '-in', file('leaf.crt', leaf.certPem), '-noout', '-fingerprint', '-sha256').trim();
    expect(fp).toBe(`sha256 Fingerprint=${info.fingerprintSha256}`);
    const rootInfo = inspectCertificate(root.certPem);
    expect([rootInfo.isCa, rootInfo.pathLength, rootInfo.selfSigned]).toEqual([true, 1, true]);
    expect(rootInfo.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
  });

  it('names other curves and RSA keys', async () => {
    const p384 = await createCa({ commonName: 'p384', pathLength: 0, validDays: 1, keyAlgorithm: 'P-384' });
    expect(inspectCertificate(p384.certPem).curve).toBe('P-384');
    expect(openssl('x509', '-in', file('p384.crt', p384.certPem), '-text', '-noout')).toContain('secp384r1');
    const rsa = await createCa({ commonName: 'rsa', pathLength: 0, validDays: 1, keyAlgorithm: 'RSA-2048' });
    expect(inspectCertificate(rsa.certPem).curve).toBe('RSA-2048');
  });
});

describe('verifyChain', () => {
  it('accepts leaf → intermediate → root', () => {
    const verdict = verifyChain(leaf.certPem, [root.certPem, intermediate.certPem]);
    expect(verdict).toEqual({ ok: true, chain: ['CN=app.localhost', 'CN=test intermediate', 'CN=test root'] });
  });

  it('accepts a bundle of CAs in one string', () => {
    expect(splitPemBundle(root.certPem + intermediate.certPem)).toHaveLength(2);
    expect(verifyChain(leaf.certPem, [root.certPem + intermediate.certPem]).ok).toBe(true);
  });

  it('refuses without the root', () => {
    const verdict = verifyChain(leaf.certPem, [intermediate.certPem]);
    expect(verdict).toEqual({ ok: false, reason: '"test intermediate" is not issued by any of the trusted CAs (issuer CN=test root)' });
  });

  it('refuses a foreign root', async () => {
    const other = await createCa({ commonName: 'other root', pathLength: 1, validDays: 10 });
    const verdict = verifyChain(intermediate.certPem, [other.certPem]);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toContain('"test intermediate" is not issued by any of the trusted CAs');
  });

  it('refuses a look-alike root with the same name but another key', async () => {
    const fake = await createCa({ commonName: 'test root', pathLength: 1, validDays: 10 });
    const verdict = verifyChain(intermediate.certPem, [fake.certPem]);
    expect(verdict.ok).toBe(false);
  });

  it('enforces pathLen: a CA under a pathLen 0 CA cannot issue', async () => {
    const tooDeep = await createCa({ commonName: 'too deep', pathLength: 0, validDays: 10, issuer: intermediate });
    const deepLeaf = await createLeaf({ commonName: 'x', dnsNames: ['x'], issuer: tooDeep, validDays: 1 });
    const verdict = verifyChain(deepLeaf.certPem, [root.certPem, intermediate.certPem, tooDeep.certPem]);
    expect(verdict).toEqual({ ok: false, reason: 'path length constraint of "test intermediate" (0) exceeded' });
    // OpenSSL agrees.
    expect(() =>
      openssl('verify', '-CAfile', file('root.crt', root.certPem), '-untrusted', file('chain.pem', intermediate.certPem + tooDeep.certPem), file('deep.crt', deepLeaf.certPem)),
    ).toThrow(/path length constraint exceeded/);
  });

  it('refuses an expired leaf', async () => {
    const old = await createLeaf({ commonName: 'old', dnsNames: ['old'], issuer: intermediate, validDays: 1, notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2020-02-01T00:00:00Z') });
    expect(verifyChain(old.certPem, [root.certPem, intermediate.certPem])).toEqual({ ok: false, reason: 'certificate "old" expired on 2020-02-01T00:00:00.000Z' });
    expect(verifyChain(old.certPem, [root.certPem, intermediate.certPem], { ignoreTime: true }).ok).toBe(true);
  });
});
