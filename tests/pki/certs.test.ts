// checks/probes/certs.ts: each broken identity certificate gets its own linkerd-style reason.
import { describe, it, expect, beforeAll } from 'vitest';
import { createCa, createLeaf, type KeyPairPem } from '../../scripts/pki/x509.ts';
import {
  assertIdentityAnchor,
  assertIdentityIssuer,
  assertServingCert,
  assertSupportedAlgorithm,
  assertTimeValid,
  sanCovers,
} from '../../checks/probes/certs.ts';

const now = new Date('2030-06-01T00:00:00Z');
let anchor: KeyPairPem;
let issuer: KeyPairPem;

beforeAll(async () => {
  anchor = await createCa({ commonName: 'root.linkerd.cluster.local', pathLength: 1, validDays: 3650, now });
  issuer = await createCa({ commonName: 'identity.linkerd.cluster.local', pathLength: 0, validDays: 365, issuer: anchor, now });
});

describe('assertIdentityAnchor', () => {
  it('accepts a P-256 CA with years left', () => {
    expect(assertIdentityAnchor(anchor.certPem, now)).toEqual({ ok: true });
  });

  it('rejects a P-384 anchor with linkerd’s wording', async () => {
    const p384 = await createCa({ commonName: 'root', pathLength: 1, validDays: 3650, keyAlgorithm: 'P-384', now });
    expect(assertIdentityAnchor(p384.certPem, now)).toEqual({ ok: false, reason: 'must use P-256 curve for public key, instead P-384 was used' });
  });

  it('rejects an RSA anchor', async () => {
    const rsa = await createCa({ commonName: 'root', pathLength: 1, validDays: 3650, keyAlgorithm: 'RSA-2048', now });
    expect(assertSupportedAlgorithm(rsa.certPem)).toEqual({ ok: false, reason: 'must use ECDSA for public key algorithm, instead RSA was used' });
  });

  it('rejects an anchor that is not a CA', async () => {
    const leaf = await createLeaf({ commonName: 'root', dnsNames: ['root'], issuer: anchor, validDays: 3650, now });
    expect(assertIdentityAnchor(leaf.certPem, now)).toEqual({ ok: false, reason: 'trust anchor is not a CA' });
  });

  it('names the bad root in a bundle', async () => {
    const p384 = await createCa({ commonName: 'second.root', pathLength: 1, validDays: 3650, keyAlgorithm: 'P-384', now });
    expect(assertIdentityAnchor(anchor.certPem + p384.certPem, now)).toEqual({
      ok: false,
      reason: 'second.root: must use P-256 curve for public key, instead P-384 was used',
    });
  });

  it('rejects garbage', () => {
    expect(assertIdentityAnchor('hello', now)).toEqual({ ok: false, reason: 'not a PEM certificate' });
  });
});

describe('assertIdentityIssuer', () => {
  it('accepts the issuer signed by the anchor', () => {
    expect(assertIdentityIssuer(issuer.certPem, anchor.certPem, now)).toEqual({ ok: true });
  });

  it('accepts it against a bundle that also holds the anchor (rotation)', async () => {
    const next = await createCa({ commonName: 'root.linkerd.cluster.local', pathLength: 1, validDays: 3650, now });
    expect(assertIdentityIssuer(issuer.certPem, next.certPem + anchor.certPem, now)).toEqual({ ok: true });
  });

  it('wrong curve', async () => {
    const p384 = await createCa({ commonName: 'identity.linkerd.cluster.local', pathLength: 0, validDays: 365, issuer: anchor, keyAlgorithm: 'P-384', now });
    expect(assertIdentityIssuer(p384.certPem, anchor.certPem, now)).toEqual({ ok: false, reason: 'must use P-256 curve for public key, instead P-384 was used' });
  });

  it('not a CA', async () => {
    const leaf = await createLeaf({ commonName: 'identity.linkerd.cluster.local', dnsNames: ['identity.linkerd.cluster.local'], issuer: anchor, validDays: 365, now });
    expect(assertIdentityIssuer(leaf.certPem, anchor.certPem, now)).toEqual({ ok: false, reason: 'issuer cert is not a CA' });
  });

  it('expired', async () => {
    const old = await createCa({
      commonName: 'identity.linkerd.cluster.local', pathLength: 0, validDays: 1, issuer: anchor,
      notBefore: new Date('2030-01-01T00:00:00Z'), notAfter: new Date('2030-02-01T00:00:00Z'),
    });
    expect(assertIdentityIssuer(old.certPem, anchor.certPem, now)).toEqual({ ok: false, reason: 'not valid anymore. Expired on 2030-02-01T00:00:00Z' });
  });

  it('not yet valid', async () => {
    const future = await createCa({ commonName: 'i', pathLength: 0, validDays: 365, issuer: anchor, now: new Date('2031-01-01T00:10:00Z') });
    expect(assertTimeValid(future.certPem, now)).toEqual({ ok: false, reason: 'not valid before: 2031-01-01T00:05:00Z' });
  });

  it('foreign anchor', async () => {
    const foreign = await createCa({ commonName: 'root.linkerd.cluster.local', pathLength: 1, validDays: 3650, now });
    expect(assertIdentityIssuer(issuer.certPem, foreign.certPem, now)).toEqual({ ok: false, reason: 'not issued by the trust anchor' });
  });

  it('expiring within 60 days', () => {
    const late = new Date(now.getTime() + 330 * 86_400_000);
    expect(assertIdentityIssuer(issuer.certPem, anchor.certPem, late)).toEqual({ ok: false, reason: 'expires in 35 days (less than 60)' });
  });
});

describe('assertServingCert', () => {
  it('passes for covered names and fails naming what is missing', async () => {
    const leaf = await createLeaf({ commonName: 'app.localhost', dnsNames: ['app.localhost', '*.apps.localhost'], issuer, validDays: 90, now });
    const caPem = anchor.certPem + issuer.certPem;
    expect(assertServingCert(leaf.certPem, { hostnames: ['app.localhost', 'x.apps.localhost'], caPem, now })).toEqual({ ok: true });
    expect(assertServingCert(leaf.certPem, { hostnames: ['api.localhost'], caPem, now })).toEqual({
      ok: false,
      reason: 'certificate is valid for app.localhost, *.apps.localhost, not api.localhost',
    });
    expect(assertServingCert(leaf.certPem, { hostnames: ['app.localhost'], caPem: (await createCa({ commonName: 'x', pathLength: 0, validDays: 9, now })).certPem, now })).toEqual({
      ok: false,
      reason: 'not issued by the lab CA',
    });
  });

  it('matches wildcards one label deep only', () => {
    expect(sanCovers('*.example.com', 'a.example.com')).toBe(true);
    expect(sanCovers('*.example.com', 'a.b.example.com')).toBe(false);
    expect(sanCovers('*.example.com', 'example.com')).toBe(false);
    expect(sanCovers('App.Localhost', 'app.localhost')).toBe(true);
  });
});
