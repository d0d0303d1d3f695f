// The lab's own CA and the ingress (edge) certificate it issues for the hostnames learners browse to.
import { createCa, createLeaf } from './x509.ts';
import { checkStored, readKeyPair, writeKeyPair, type KeyPairFiles } from './store.ts';

export const LAB_CA_CN = 'edge-to-mesh lab CA';
export const LAB_CA_NAME = 'lab-ca';
export const INGRESS_NAME = 'ingress';
const LAB_CA_DAYS = 730;
/** Reissuing the CA means re-trusting it everywhere, so it is replaced only well before it lapses. */
const LAB_CA_MIN_DAYS = 30;
const INGRESS_DAYS = 90;
const INGRESS_MIN_DAYS = 7;

export interface EnsureOptions {
  rotate?: boolean;
  now?: Date;
}

export interface Ensured extends KeyPairFiles {
  generated: boolean;
  /** Why it was (re)made; undefined when reused. */
  reason?: string;
}

export interface EnsuredIngress extends Ensured {
  /** The CA that signed it: what clients pass as --cacert. */
  caPath: string;
}

/** CA "edge-to-mesh lab CA", pathLen 0, two years; files lab-ca.{crt,key}. */
export async function ensureLabCa(pkiDir: string, opts: EnsureOptions = {}): Promise<Ensured> {
  const now = opts.now ?? new Date();
  const verdict = opts.rotate
    ? ({ ok: false, reason: 'rotation requested' } as const)
    : checkStored(pkiDir, LAB_CA_NAME, {
        minRemainingDays: LAB_CA_MIN_DAYS,
        now,
        expect: { isCa: true, pathLength: 0, curve: 'P-256', commonName: LAB_CA_CN },
      });
  if (verdict.ok) return { certPath: verdict.pair.certPath, keyPath: verdict.pair.keyPath, generated: false };
  const ca = await createCa({ commonName: LAB_CA_CN, pathLength: 0, validDays: LAB_CA_DAYS, now });
  return { ...writeKeyPair(pkiDir, LAB_CA_NAME, ca), generated: true, reason: verdict.reason };
}

/**
 * Leaf for the ingress, 90 days, SANs = hostnames (first one is the CN); files ingress.{crt,key}.
 * Reissued when the hostnames changed, fewer than 7 days remain, or it no longer chains to the lab CA.
 * `rotate` reissues the leaf only; the CA is kept (use ensureLabCa({rotate}) to replace that).
 */
export async function ensureIngressCert(pkiDir: string, hostnames: string[], opts: EnsureOptions = {}): Promise<EnsuredIngress> {
  if (hostnames.length === 0) throw new Error('ensureIngressCert needs at least one hostname');
  const now = opts.now ?? new Date();
  const caFiles = await ensureLabCa(pkiDir, { now });
  const ca = readKeyPair(pkiDir, LAB_CA_NAME);
  if (!ca) throw new Error(`lab CA missing from ${pkiDir} right after it was ensured`);
  const verdict = opts.rotate
    ? ({ ok: false, reason: 'rotation requested' } as const)
    : checkStored(pkiDir, INGRESS_NAME, {
        minRemainingDays: INGRESS_MIN_DAYS,
        now,
        expect: { isCa: false, curve: 'P-256', sans: hostnames, issuedBy: ca.certPem },
      });
  if (verdict.ok) return { certPath: verdict.pair.certPath, keyPath: verdict.pair.keyPath, caPath: caFiles.certPath, generated: false };
  const leaf = await createLeaf({ commonName: hostnames[0]!, dnsNames: hostnames, issuer: ca, validDays: INGRESS_DAYS, serverAuth: true, now });
  return { ...writeKeyPair(pkiDir, INGRESS_NAME, leaf), caPath: caFiles.certPath, generated: true, reason: verdict.reason };
}
