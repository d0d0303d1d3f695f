// Pure certificate verdicts for cluster checks, worded like `linkerd check` so learners can search either message.
import { inspectCertificate, splitPemBundle, verifyChain, type CertificateInfo } from '../../scripts/pki/x509.ts';

export type CertVerdict = { ok: true } | { ok: false; reason: string };

const OK: CertVerdict = { ok: true };
const DAY_MS = 24 * 60 * 60 * 1000;
/** `linkerd check` warns when an identity certificate has fewer than 60 days left. */
export const EXPIRY_WARNING_DAYS = 60;

/** RFC 3339 without fractions, like Go's time.RFC3339 in linkerd's messages. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parse(pem: string): CertificateInfo | string {
  try {
    return inspectCertificate(pem);
  } catch {
    return 'not a PEM certificate';
  }
}

function fails(reason: string): CertVerdict {
  return { ok: false, reason };
}

/** Linkerd's CheckCertAlgoRequirements: an ECDSA P-256 public key, signed with ECDSA-SHA256. */
export function assertSupportedAlgorithm(pem: string): CertVerdict {
  const info = parse(pem);
  if (typeof info === 'string') return fails(info);
  if (info.curve.startsWith('RSA')) return fails('must use ECDSA for public key algorithm, instead RSA was used');
  if (!info.curve.startsWith('P-')) return fails(`must use ECDSA for public key algorithm, instead ${info.curve} was used`);
  if (info.curve !== 'P-256') return fails(`must use P-256 curve for public key, instead ${info.curve} was used`);
  return OK;
}

/** Linkerd's CheckCertValidityPeriod. */
export function assertTimeValid(pem: string, now: Date = new Date()): CertVerdict {
  const info = parse(pem);
  if (typeof info === 'string') return fails(info);
  if (info.notBefore.getTime() > now.getTime()) return fails(`not valid before: ${rfc3339(info.notBefore)}`);
  if (info.notAfter.getTime() < now.getTime()) return fails(`not valid anymore. Expired on ${rfc3339(info.notAfter)}`);
  return OK;
}

/** Fails when fewer than minDays remain (linkerd reports this as a warning, "valid for at least 60 days"). */
export function assertNotExpiringSoon(pem: string, now: Date = new Date(), minDays = EXPIRY_WARNING_DAYS): CertVerdict {
  const info = parse(pem);
  if (typeof info === 'string') return fails(info);
  const days = Math.floor((info.notAfter.getTime() - now.getTime()) / DAY_MS);
  if (days < minDays) return fails(`expires in ${days} days (less than ${minDays})`);
  return OK;
}

export function assertIsCa(pem: string, what = 'issuer cert'): CertVerdict {
  const info = parse(pem);
  if (typeof info === 'string') return fails(info);
  return info.isCa ? OK : fails(`${what} is not a CA`);
}

/** The certificate chains to one of the anchors in the bundle (directly, or via CAs also in the bundle). */
export function assertIssuedBy(pem: string, anchorsPem: string, what = 'the trust anchor'): CertVerdict {
  if (splitPemBundle(anchorsPem).length === 0) return fails(`${what} is not a PEM certificate`);
  // Time is judged by assertTimeValid on each certificate; here only signatures, names and CA constraints count.
  const verdict = verifyChain(pem, [anchorsPem], { ignoreTime: true });
  return verdict.ok ? OK : fails(`not issued by ${what}`);
}

/** Every root in the trust-anchor bundle: P-256, a CA, within validity, at least 60 days left. First problem wins. */
export function assertIdentityAnchor(anchorsPem: string, now: Date = new Date()): CertVerdict {
  const roots = splitPemBundle(anchorsPem);
  if (roots.length === 0) return fails('not a PEM certificate');
  for (const root of roots) {
    const verdict = firstFailure([
      () => assertSupportedAlgorithm(root),
      () => assertTimeValid(root, now),
      () => assertIsCa(root, 'trust anchor'),
      () => assertNotExpiringSoon(root, now),
    ]);
    if (!verdict.ok) return roots.length > 1 ? fails(`${inspectCertificate(root).commonName}: ${verdict.reason}`) : verdict;
  }
  return OK;
}

/** Linkerd's issuer rules, in its order: algorithm, validity, CA flag, issued by the anchors, then expiry warning. */
export function assertIdentityIssuer(issuerPem: string, anchorsPem: string, now: Date = new Date()): CertVerdict {
  return firstFailure([
    () => assertSupportedAlgorithm(issuerPem),
    () => assertTimeValid(issuerPem, now),
    () => assertIsCa(issuerPem, 'issuer cert'),
    () => assertIssuedBy(issuerPem, anchorsPem),
    () => assertNotExpiringSoon(issuerPem, now),
  ]);
}

/** True when a SAN (exact or single-label wildcard, as TLS clients match) covers the hostname. */
export function sanCovers(san: string, hostname: string): boolean {
  const s = san.toLowerCase();
  const h = hostname.toLowerCase();
  if (s === h) return true;
  if (!s.startsWith('*.')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot) === s.slice(1);
}

/** A serving (ingress) certificate: names every hostname, chains to the CA, is in its validity period. */
export function assertServingCert(pem: string, opts: { hostnames: string[]; caPem: string; now?: Date; minDays?: number }): CertVerdict {
  const now = opts.now ?? new Date();
  const info = parse(pem);
  if (typeof info === 'string') return fails(info);
  const missing = opts.hostnames.filter((h) => !info.sans.some((san) => sanCovers(san, h)));
  if (missing.length) return fails(`certificate is valid for ${info.sans.join(', ') || 'no names'}, not ${missing.join(', ')}`);
  return firstFailure([
    () => assertTimeValid(pem, now),
    () => assertIssuedBy(pem, opts.caPem, 'the lab CA'),
    () => assertNotExpiringSoon(pem, now, opts.minDays ?? 7),
  ]);
}

function firstFailure(steps: (() => CertVerdict)[]): CertVerdict {
  for (const step of steps) {
    const verdict = step();
    if (!verdict.ok) return verdict;
  }
  return OK;
}
