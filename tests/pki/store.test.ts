// The keypair store: file modes, atomic layout, and every reason a stored pair is refused.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, createLeaf } from '../../scripts/pki/x509.ts';
import { checkStored, loadIfValid, readKeyPair, writeKeyPair } from '../../scripts/pki/store.ts';

let base: string;
let dir: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'store-test-'));
  dir = join(base, 'pki');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

describe('writeKeyPair', () => {
  it('writes <name>.crt 0644, <name>.key 0600 in a 0700 directory, and nothing else', async () => {
    const ca = await createCa({ commonName: 'c', pathLength: 0, validDays: 10 });
    const files = writeKeyPair(dir, 'lab-ca', ca);
    expect(files).toEqual({ certPath: join(dir, 'lab-ca.crt'), keyPath: join(dir, 'lab-ca.key') });
    expect(mode(dir)).toBe(0o700);
    expect(mode(files.keyPath)).toBe(0o600);
    expect(mode(files.certPath) & 0o600).toBe(0o600);
    expect(mode(files.certPath) & 0o022).toBe(0); // at most 0644
    expect(readdirSync(dir).sort()).toEqual(['lab-ca.crt', 'lab-ca.key']);
    expect(readKeyPair(dir, 'lab-ca')).toMatchObject({ certPem: ca.certPem, keyPem: ca.keyPem });
  });

  it('tightens a key file that became world-readable when read', async () => {
    const ca = await createCa({ commonName: 'c', pathLength: 0, validDays: 10 });
    const { keyPath } = writeKeyPair(dir, 'x', ca);
    chmodSync(keyPath, 0o644);
    readKeyPair(dir, 'x');
    expect(mode(keyPath)).toBe(0o600);
  });
});

describe('loadIfValid / checkStored', () => {
  const expectCa = { isCa: true, pathLength: 1, curve: 'P-256' as const };

  it('returns the pair when it matches', async () => {
    const ca = await createCa({ commonName: 'c', pathLength: 1, validDays: 100 });
    writeKeyPair(dir, 'a', ca);
    const pair = loadIfValid(dir, 'a', { minRemainingDays: 60, expect: expectCa });
    expect(pair?.certPem).toBe(ca.certPem);
    expect(pair?.info.pathLength).toBe(1);
  });

  it('is undefined when missing', () => {
    expect(loadIfValid(dir, 'a', { minRemainingDays: 1 })).toBeUndefined();
    expect(checkStored(dir, 'a', { minRemainingDays: 1 })).toEqual({ ok: false, reason: 'a does not exist' });
  });

  it('refuses an expiring certificate', async () => {
    writeKeyPair(dir, 'a', await createCa({ commonName: 'c', pathLength: 1, validDays: 30 }));
    expect(checkStored(dir, 'a', { minRemainingDays: 60, expect: expectCa })).toEqual({ ok: false, reason: 'a expires in 29 days (less than 60)' });
  });

  it('refuses an expired certificate', async () => {
    writeKeyPair(dir, 'a', await createCa({ commonName: 'c', pathLength: 1, validDays: 1, now: new Date('2020-01-01T00:00:00Z') }));
    expect(checkStored(dir, 'a', { minRemainingDays: 60 })).toEqual({ ok: false, reason: 'a has expired' });
  });

  it('refuses the wrong shape: pathLen, CA flag, curve', async () => {
    writeKeyPair(dir, 'a', await createCa({ commonName: 'c', pathLength: 0, validDays: 100 }));
    expect(checkStored(dir, 'a', { minRemainingDays: 1, expect: expectCa })).toEqual({ ok: false, reason: 'a has pathLen 0, expected 1' });
    writeKeyPair(dir, 'b', await createCa({ commonName: 'c', pathLength: 1, validDays: 100, keyAlgorithm: 'P-384' }));
    expect(checkStored(dir, 'b', { minRemainingDays: 1, expect: expectCa })).toEqual({ ok: false, reason: 'b uses P-384, expected P-256' });
    const ca = await createCa({ commonName: 'c', pathLength: 0, validDays: 100 });
    writeKeyPair(dir, 'c', await createLeaf({ commonName: 'l', dnsNames: ['l'], issuer: ca, validDays: 10 }));
    expect(checkStored(dir, 'c', { minRemainingDays: 1, expect: expectCa })).toEqual({ ok: false, reason: 'c is not a CA' });
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const a = await createCa({ commonName: 'a', pathLength: 1, validDays: 100 });
    const b = await createCa({ commonName: 'b', pathLength: 1, validDays: 100 });
    writeKeyPair(dir, 'a', { certPem: a.certPem, keyPem: b.keyPem });
    expect(checkStored(dir, 'a', { minRemainingDays: 1 })).toEqual({ ok: false, reason: 'a.key does not belong to a.crt' });
  });

  it('refuses garbage', async () => {
    writeKeyPair(dir, 'a', await createCa({ commonName: 'a', pathLength: 1, validDays: 100 }));
    writeFileSync(join(dir, 'a.crt'), 'not a certificate');
    expect(checkStored(dir, 'a', { minRemainingDays: 1 })).toEqual({ ok: false, reason: 'a.crt is not a readable certificate' });
  });
});
