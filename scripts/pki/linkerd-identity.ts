// Linkerd's identity PKI: a trust anchor (root, pathLen 1) and an issuer (intermediate, pathLen 0) signed by it.
import { createCa, type KeyPairPem } from './x509.ts';
import { checkStored, writeKeyPair, type KeyPairFiles } from './store.ts';

export const TRUST_ANCHOR_CN = 'root.linkerd.cluster.local';
export const ISSUER_CN = 'identity.linkerd.cluster.local';
export const TRUST_ANCHOR_NAME = 'linkerd-trust-anchor';
export const ISSUER_NAME = 'linkerd-issuer';
const TRUST_ANCHOR_DAYS = 3650;
const ISSUER_DAYS = 365;
/** `linkerd check` warns below 60 days; reusing anything closer would start the lab with a warning. */
const MIN_REMAINING_DAYS = 60;

export interface LinkerdIdentityOptions {
  /** true: new anchor and issuer. 'issuer': new issuer under the existing anchor (what a real rotation does). */
  rotate?: boolean | 'issuer';
  now?: Date;
}

export interface LinkerdIdentity {
  trustAnchor: KeyPairFiles;
  issuer: KeyPairFiles;
  generated: { trustAnchor: boolean; issuer: boolean };
  /** Why each file was (re)made, for the step's output; empty when both were reused. */
  reasons: string[];
}

/** Reuses valid files in pkiDir (`.lab/pki`), makes whatever is missing, expiring, misshapen or rotated. */
export async function ensureLinkerdIdentity(pkiDir: string, opts: LinkerdIdentityOptions = {}): Promise<LinkerdIdentity> {
  const now = opts.now ?? new Date();
  const reasons: string[] = [];

  const anchorVerdict =
    opts.rotate === true
      ? ({ ok: false, reason: 'rotation requested' } as const)
      : checkStored(pkiDir, TRUST_ANCHOR_NAME, {
          minRemainingDays: MIN_REMAINING_DAYS,
          now,
          expect: { isCa: true, pathLength: 1, curve: 'P-256', commonName: TRUST_ANCHOR_CN },
        });
  let anchor: KeyPairPem;
  let trustAnchor: KeyPairFiles;
  if (anchorVerdict.ok) {
    anchor = anchorVerdict.pair;
    trustAnchor = { certPath: anchorVerdict.pair.certPath, keyPath: anchorVerdict.pair.keyPath };
  } else {
    reasons.push(`trust anchor: ${anchorVerdict.reason}`);
    anchor = await createCa({ commonName: TRUST_ANCHOR_CN, pathLength: 1, validDays: TRUST_ANCHOR_DAYS, now });
    trustAnchor = writeKeyPair(pkiDir, TRUST_ANCHOR_NAME, anchor);
  }

  // A new anchor invalidates the old issuer; checkStored's issuedBy catches that, rotation skips the look.
  const issuerVerdict =
    opts.rotate
      ? ({ ok: false, reason: 'rotation requested' } as const)
      : checkStored(pkiDir, ISSUER_NAME, {
          minRemainingDays: MIN_REMAINING_DAYS,
          now,
          expect: { isCa: true, pathLength: 0, curve: 'P-256', commonName: ISSUER_CN, issuedBy: anchor.certPem },
        });
  let issuer: KeyPairFiles;
  if (issuerVerdict.ok) {
    issuer = { certPath: issuerVerdict.pair.certPath, keyPath: issuerVerdict.pair.keyPath };
  } else {
    reasons.push(`issuer: ${issuerVerdict.reason}`);
    const made = await createCa({ commonName: ISSUER_CN, pathLength: 0, validDays: ISSUER_DAYS, issuer: anchor, now });
    issuer = writeKeyPair(pkiDir, ISSUER_NAME, made);
  }

  return { trustAnchor, issuer, generated: { trustAnchor: !anchorVerdict.ok, issuer: !issuerVerdict.ok }, reasons };
}
