// ensureLabCa / ensureIngressCert: the edge certificate for the learner's hostnames.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureIngressCert, ensureLabCa } from '../../scripts/pki/lab-ca.ts';
import { inspectCertificate } from '../../scripts/pki/x509.ts';

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'labca-test-')), 'pki');
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const read = (p: string) => readFileSync(p, 'utf8');

describe('ensureLabCa', () => {
  it('makes "edge-to-mesh lab CA", pathLen 0, two years, and reuses it', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const ca = await ensureLabCa(dir, { now });
    expect(ca).toMatchObject({ certPath: join(dir, 'lab-ca.crt'), keyPath: join(dir, 'lab-ca.key'), generated: true });
    const text = openssl('x509', '-in', ca.certPath, '-text', '-noout');
    expect(text).toContain('Subject: CN = edge-to-mesh lab CA');
    expect(text).toMatch(/CA:TRUE, pathlen:0/);
    expect(inspectCertificate(read(ca.certPath)).notAfter.toISOString()).toBe('2032-01-01T00:00:00.000Z');
    expect(statSync(ca.keyPath).mode & 0o777).toBe(0o600);
    expect((await ensureLabCa(dir, { now })).generated).toBe(false);
  });
});

describe('ensureIngressCert', () => {
  it('issues a 90-day leaf for the hostnames that openssl verifies against the lab CA', async () => {
    const ing = await ensureIngressCert(dir, ['app.localhost', 'api.localhost']);
    expect(ing).toMatchObject({ certPath: join(dir, 'ingress.crt'), keyPath: join(dir, 'ingress.key'), caPath: join(dir, 'lab-ca.crt'), generated: true });
    const text = openssl('x509', '-in', ing.certPath, '-text', '-noout');
    expect(text).toContain('DNS:app.localhost, DNS:api.localhost');
    expect(text).toContain('TLS Web Server Authentication');
    expect(text).toContain('Subject: CN = app.localhost');
    const info = inspectCertificate(read(ing.certPath));
    expect(Math.round((info.notAfter.getTime() - Date.now()) / 86_400_000)).toBe(90);
    expect(openssl('verify', '-CAfile', ing.caPath, ing.certPath).trim()).toBe(`${ing.certPath}: OK`);
    // openssl's own hostname check agrees on the SAN.
    expect(openssl('verify', '-CAfile', ing.caPath, '-verify_hostname', 'api.localhost', ing.certPath).trim()).toBe(`${ing.certPath}: OK`);
    expect(() => openssl('verify', '-CAfile', ing.caPath, '-verify_hostname', 'other.localhost', ing.certPath)).toThrow(/hostname mismatch/);
  });

  it('reuses it for the same hostnames in any order, reissues when they change', async () => {
    const first = await ensureIngressCert(dir, ['a.localhost', 'b.localhost']);
    const pem = read(first.certPath);
    const same = await ensureIngressCert(dir, ['b.localhost', 'a.localhost']);
    expect(same.generated).toBe(false);
    expect(read(same.certPath)).toBe(pem);
    const changed = await ensureIngressCert(dir, ['a.localhost', 'c.localhost']);
    expect(changed.generated).toBe(true);
    expect(changed.reason).toBe('ingress names a.localhost, b.localhost, expected a.localhost, c.localhost');
    expect(inspectCertificate(read(changed.certPath)).sans).toEqual(['a.localhost', 'c.localhost']);
  });

  it('reissues when fewer than 7 days remain', async () => {
    const now = new Date();
    await ensureIngressCert(dir, ['a.localhost'], { now: new Date(now.getTime() - 85 * 86_400_000) });
    const again = await ensureIngressCert(dir, ['a.localhost'], { now });
    expect(again.generated).toBe(true);
    expect(again.reason).toBe('ingress expires in 4 days (less than 7)');
  });

  it('reissues when the lab CA was replaced', async () => {
    await ensureIngressCert(dir, ['a.localhost']);
    await ensureLabCa(dir, { rotate: true });
    const again = await ensureIngressCert(dir, ['a.localhost']);
    expect(again.generated).toBe(true);
    expect(again.reason).toMatch(/^ingress does not chain to its CA: /);
    expect(openssl('verify', '-CAfile', again.caPath, again.certPath).trim()).toBe(`${again.certPath}: OK`);
  });
});
