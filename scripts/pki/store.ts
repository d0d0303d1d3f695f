// Keeps named keypairs on disk (<dir>/<name>.crt 0644, <dir>/<name>.key 0600, dir 0700) and decides whether one can be reused.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/fsutil.ts';
import { inspectCertificate, keyMatchesCertificate, verifyChain, type CertificateInfo, type KeyCurve, type KeyPairPem } from './x509.ts';

export interface KeyPairFiles {
  certPath: string;
  keyPath: string;
}

export interface StoredKeyPair extends KeyPairPem, KeyPairFiles {
  info: CertificateInfo;
}

/** What the stored certificate must be for reuse; every field given is compared. */
export interface Expectation {
  isCa?: boolean;
  pathLength?: number;
  curve?: KeyCurve;
  commonName?: string;
  /** Compared as a set: order and duplicates do not matter. */
  sans?: string[];
  /** PEM of the CA(s) the certificate must chain to. */
  issuedBy?: string;
}

export interface LoadOptions {
  /** Fewer days left than this counts as expiring: the caller makes a new one. */
  minRemainingDays: number;
  expect?: Expectation;
  now?: Date;
}

export type StoredVerdict = { ok: true; pair: StoredKeyPair } | { ok: false; reason: string };

const DAY_MS = 24 * 60 * 60 * 1000;

export function keyPairPaths(dir: string, name: string): KeyPairFiles {
  return { certPath: join(dir, `${name}.crt`), keyPath: join(dir, `${name}.key`) };
}

function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by umask and ignored for an existing directory: set it outright.
  chmodSync(dir, 0o700);
}

/**
 * Writes the key first, then the certificate: a crash in between leaves a pair that does not match,
 * which checkStored reports as invalid, so the next run regenerates instead of using half a pair.
 */
export function writeKeyPair(dir: string, name: string, pair: KeyPairPem): KeyPairFiles {
  ensurePrivateDir(dir);
  const files = keyPairPaths(dir, name);
  writeFileAtomic(files.keyPath, pair.keyPem, 0o600);
  writeFileAtomic(files.certPath, pair.certPem, 0o644);
  return files;
}

/** Reads both files; undefined when either is missing. Never logs their content. */
export function readKeyPair(dir: string, name: string): (KeyPairPem & KeyPairFiles) | undefined {
  const files = keyPairPaths(dir, name);
  if (!existsSync(files.certPath) || !existsSync(files.keyPath)) return undefined;
  // A copied or restored key file may have lost its mode; a private key readable by others is tightened back.
  if ((statSync(files.keyPath).mode & 0o077) !== 0) chmodSync(files.keyPath, 0o600);
  return { ...files, certPem: readFileSync(files.certPath, 'utf8'), keyPem: readFileSync(files.keyPath, 'utf8') };
}

function sameSet(a: string[], b: string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Says whether the stored pair can be reused, and if not, why (for a "regenerating: …" line). */
export function checkStored(dir: string, name: string, opts: LoadOptions): StoredVerdict {
  const now = opts.now ?? new Date();
  let pair: (KeyPairPem & KeyPairFiles) | undefined;
  try {
    pair = readKeyPair(dir, name);
  } catch (error) {
    return { ok: false, reason: `cannot read ${name}: ${(error as NodeJS.ErrnoException).code ?? 'error'}` };
  }
  if (!pair) return { ok: false, reason: `${name} does not exist` };
  let info: CertificateInfo;
  try {
    info = inspectCertificate(pair.certPem);
  } catch {
    return { ok: false, reason: `${name}.crt is not a readable certificate` };
  }
  if (!keyMatchesCertificate(pair.certPem, pair.keyPem)) return { ok: false, reason: `${name}.key does not belong to ${name}.crt` };
  if (info.notBefore.getTime() > now.getTime()) return { ok: false, reason: `${name} is not valid yet` };
  const daysLeft = Math.floor((info.notAfter.getTime() - now.getTime()) / DAY_MS);
  if (daysLeft < opts.minRemainingDays) {
    return { ok: false, reason: daysLeft < 0 ? `${name} has expired` : `${name} expires in ${daysLeft} days (less than ${opts.minRemainingDays})` };
  }
  const e = opts.expect ?? {};
  if (e.isCa !== undefined && info.isCa !== e.isCa) return { ok: false, reason: `${name} is ${info.isCa ? '' : 'not '}a CA` };
  if (e.pathLength !== undefined && info.pathLength !== e.pathLength) {
    return { ok: false, reason: `${name} has pathLen ${info.pathLength ?? 'unlimited'}, expected ${e.pathLength}` };
  }
  if (e.curve !== undefined && info.curve !== e.curve) return { ok: false, reason: `${name} uses ${info.curve}, expected ${e.curve}` };
  if (e.commonName !== undefined && info.commonName !== e.commonName) {
    return { ok: false, reason: `${name} is for "${info.commonName}", expected "${e.commonName}"` };
  }
  if (e.sans !== undefined && !sameSet(info.sans, e.sans)) {
    return { ok: false, reason: `${name} names ${info.sans.join(', ') || 'no hosts'}, expected ${e.sans.join(', ')}` };
  }
  if (e.issuedBy !== undefined) {
    const chain = verifyChain(pair.certPem, [e.issuedBy], { now });
    if (!chain.ok) return { ok: false, reason: `${name} does not chain to its CA: ${chain.reason}` };
  }
  return { ok: true, pair: { ...pair, info } };
}

/** The stored pair when present, matching and not expiring; undefined tells the caller to make a new one. */
export function loadIfValid(dir: string, name: string, opts: LoadOptions): StoredKeyPair | undefined {
  const verdict = checkStored(dir, name, opts);
  return verdict.ok ? verdict.pair : undefined;
}
