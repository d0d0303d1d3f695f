// Lab 02's identity PKI in .lab/pki: where the files are, the step that makes them, and comparing them with the cluster's.
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { LabContext, Step } from '../../scripts/engine/types.ts';
import { ensureLinkerdIdentity, ISSUER_CN, ISSUER_NAME, TRUST_ANCHOR_CN, TRUST_ANCHOR_NAME } from '../../scripts/pki/linkerd-identity.ts';
import { checkStored, keyPairPaths } from '../../scripts/pki/store.ts';
import { splitPemBundle } from '../../scripts/pki/x509.ts';
import { displayPath } from '../../scripts/lib/paths.ts';

/** Same margin ensureLinkerdIdentity keeps: `linkerd check` warns below 60 days. */
const MIN_REMAINING_DAYS = 60;

export function anchorFiles(ctx: LabContext) {
  return keyPairPaths(ctx.paths.pki, TRUST_ANCHOR_NAME);
}

export function issuerFiles(ctx: LabContext) {
  return keyPairPaths(ctx.paths.pki, ISSUER_NAME);
}

/** The PEM text of a .lab/pki certificate, or undefined when the file is missing. */
export function readLocalCert(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** SHA-256 of each certificate's DER, so PEM line wrapping and trailing newlines never make equal certificates differ. */
export function certFingerprints(pem: string): string[] {
  return splitPemBundle(pem).map((block) => createHash('sha256').update(new X509Certificate(block).raw).digest('hex'));
}

/** True when both texts hold the same certificates in the same order. Unparsable text is never equal. */
export function sameCertificates(a: string, b: string): boolean {
  try {
    const x = certFingerprints(a);
    const y = certFingerprints(b);
    return x.length > 0 && x.length === y.length && x.every((f, i) => f === y[i]);
  } catch {
    return false;
  }
}

/** First 16 hex digits of the first certificate's fingerprint, for messages. */
export function shortFingerprint(pem: string): string {
  try {
    return certFingerprints(pem)[0]?.slice(0, 16) ?? '(no certificate)';
  } catch {
    return '(unreadable)';
  }
}

export const identityPkiStep: Step = {
  id: 'identity-pki',
  title: 'Make the Linkerd trust anchor and issuer in .lab/pki',
  // Local files only: nothing here talks to the cluster.
  guard: 'none',
  async satisfied(ctx) {
    if (ctx.flags.rotate) return false;
    const now = ctx.now();
    const anchor = checkStored(ctx.paths.pki, TRUST_ANCHOR_NAME, {
      minRemainingDays: MIN_REMAINING_DAYS,
      now,
      expect: { isCa: true, pathLength: 1, curve: 'P-256', commonName: TRUST_ANCHOR_CN },
    });
    if (!anchor.ok) return false;
    const issuer = checkStored(ctx.paths.pki, ISSUER_NAME, {
      minRemainingDays: MIN_REMAINING_DAYS,
      now,
      expect: { isCa: true, pathLength: 0, curve: 'P-256', commonName: ISSUER_CN, issuedBy: anchor.pair.certPem },
    });
    if (!issuer.ok) return false;
    return `trust anchor and issuer in ${displayPath(ctx.paths.pki)} are valid (issuer until ${issuer.pair.info.notAfter.toISOString().slice(0, 10)})`;
  },
  actions(ctx) {
    const anchor = anchorFiles(ctx);
    const issuer = issuerFiles(ctx);
    return [
      {
        type: 'task',
        title: ctx.flags.rotate ? 'make a new trust anchor and issuer (--rotate)' : 'make the trust anchor and issuer (valid ones are kept)',
        async run(c) {
          const made = await ensureLinkerdIdentity(c.paths.pki, { rotate: !!c.flags.rotate, now: c.now() });
          for (const reason of made.reasons) c.ui.detail(`made anew: ${reason}`);
        },
        // The Linkerd docs' recipe (step CLI); the lab does the same in-process: ECDSA P-256, pathLen 1 and 0.
        equivalent: [
          ['step', 'certificate', 'create', TRUST_ANCHOR_CN, anchor.certPath, anchor.keyPath, '--profile', 'root-ca', '--no-password', '--insecure', '--not-after', '87600h'],
          ['step', 'certificate', 'create', ISSUER_CN, issuer.certPath, issuer.keyPath, '--profile', 'intermediate-ca', '--not-after', '8760h', '--no-password', '--insecure', '--ca', anchor.certPath, '--ca-key', anchor.keyPath],
        ],
      },
    ];
  },
};
