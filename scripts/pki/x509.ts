// Certificate making and reading: CAs and leaves over @peculiar/x509 + WebCrypto, inspection and chain checks over node:crypto.
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { X509Certificate as NodeCertificate, createHash, createPrivateKey, createPublicKey, randomBytes, webcrypto as nodeWebcrypto, type KeyObject } from 'node:crypto';

// WebCrypto types come from node:crypto: the project's lib has no DOM.
type CryptoKey = nodeWebcrypto.CryptoKey;
type CryptoKeyPair = nodeWebcrypto.CryptoKeyPair;
type EcdsaParams = nodeWebcrypto.EcdsaParams;
type Algorithm = nodeWebcrypto.Algorithm;
type EcKeyGenParams = nodeWebcrypto.EcKeyGenParams;
type RsaHashedKeyGenParams = nodeWebcrypto.RsaHashedKeyGenParams;
type EcKeyAlgorithm = nodeWebcrypto.EcKeyAlgorithm;
type RsaHashedKeyAlgorithm = nodeWebcrypto.RsaHashedKeyAlgorithm;

/** Key algorithms the lab can make. Only P-256 is used for real; the others exist so tests can make wrong keys. */
export type KeyAlgorithm = 'P-256' | 'P-384' | 'P-521' | 'RSA-2048';
/**
 * What inspection reports: the curve name as Go (and so linkerd) prints it ("P-256", "P-384"), "RSA-<bits>",
 * or Node's key type (e.g. "ed25519"). A plain string: certificates from elsewhere can hold anything.
 */
export type KeyCurve = string;

/** A certificate and its private key, both PEM (key as PKCS#8, "-----BEGIN PRIVATE KEY-----"). */
export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

export interface CaOptions {
  commonName: string;
  /** basicConstraints pathLen: how many CAs may sit below this one. */
  pathLength: number;
  validDays: number;
  /** Signs the new CA; omitted, the CA is self-signed (a root / trust anchor). */
  issuer?: KeyPairPem;
  keyAlgorithm?: KeyAlgorithm;
  /** Clock for notBefore/notAfter; tests pass fixed or past dates. */
  now?: Date;
  notBefore?: Date;
  notAfter?: Date;
}

export interface LeafOptions {
  commonName: string;
  dnsNames: string[];
  ipAddresses?: string[];
  issuer: KeyPairPem;
  validDays: number;
  /** Defaults to serverAuth only when neither is given. */
  serverAuth?: boolean;
  clientAuth?: boolean;
  keyAlgorithm?: KeyAlgorithm;
  now?: Date;
  notBefore?: Date;
  notAfter?: Date;
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** The subject's CN, or '' when it has none. */
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  /** basicConstraints pathLen; undefined when unlimited or not a CA. */
  pathLength: number | undefined;
  /** keyUsage flags by name, e.g. ['keyCertSign', 'cRLSign']. */
  keyUsage: string[];
  /** extendedKeyUsage by name where known (serverAuth, clientAuth), else the OID. */
  extKeyUsage: string[];
  curve: KeyCurve;
  /** DNS names and IP addresses from subjectAltName. */
  sans: string[];
  serialNumber: string;
  /** Uppercase hex with colons, like `openssl x509 -fingerprint -sha256`. */
  fingerprintSha256: string;
  selfSigned: boolean;
}

export type ChainVerdict = { ok: true; chain: string[] } | { ok: false; reason: string };

const webcrypto = globalThis.crypto as unknown as nodeWebcrypto.Crypto;

/** Certificates start a little in the past: kind nodes and the host may disagree on the clock by seconds. */
const BACKDATE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const KEY_USAGE_NAMES: [x509.KeyUsageFlags, string][] = [
  [x509.KeyUsageFlags.digitalSignature, 'digitalSignature'],
  [x509.KeyUsageFlags.nonRepudiation, 'nonRepudiation'],
  [x509.KeyUsageFlags.keyEncipherment, 'keyEncipherment'],
  [x509.KeyUsageFlags.dataEncipherment, 'dataEncipherment'],
  [x509.KeyUsageFlags.keyAgreement, 'keyAgreement'],
  [x509.KeyUsageFlags.keyCertSign, 'keyCertSign'],
  [x509.KeyUsageFlags.cRLSign, 'cRLSign'],
  [x509.KeyUsageFlags.encipherOnly, 'encipherOnly'],
  [x509.KeyUsageFlags.decipherOnly, 'decipherOnly'],
];

const EKU_NAMES: Record<string, string> = {
  [x509.ExtendedKeyUsage.serverAuth]: 'serverAuth',
  [x509.ExtendedKeyUsage.clientAuth]: 'clientAuth',
  [x509.ExtendedKeyUsage.codeSigning]: 'codeSigning',
  [x509.ExtendedKeyUsage.emailProtection]: 'emailProtection',
  [x509.ExtendedKeyUsage.timeStamping]: 'timeStamping',
  [x509.ExtendedKeyUsage.ocspSigning]: 'ocspSigning',
};

const NODE_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', secp224r1: 'P-224' };

function keyParams(alg: KeyAlgorithm): { gen: EcKeyGenParams | RsaHashedKeyGenParams; sign: EcdsaParams | Algorithm } {
  if (alg === 'RSA-2048') {
    return {
      gen: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      sign: { name: 'RSASSA-PKCS1-v1_5' },
    };
  }
  // SHA-256 for P-256 as asked; the larger test curves get their matching hash.
  const hash = alg === 'P-256' ? 'SHA-256' : alg === 'P-384' ? 'SHA-384' : 'SHA-512';
  return { gen: { name: 'ECDSA', namedCurve: alg }, sign: { name: 'ECDSA', hash } as EcdsaParams };
}

/** 16 random bytes, top bit clear so the DER INTEGER stays positive, next bit set so it keeps all 16 bytes. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function validity(opts: { now?: Date; notBefore?: Date; notAfter?: Date; validDays: number }): { notBefore: Date; notAfter: Date } {
  const now = opts.now ?? new Date();
  // Whole seconds: X.509 times have no fractions, and comparing a parsed date with this one must be exact.
  const trunc = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);
  return {
    notBefore: trunc(opts.notBefore ?? new Date(now.getTime() - BACKDATE_MS)),
    notAfter: trunc(opts.notAfter ?? new Date(now.getTime() + opts.validDays * DAY_MS)),
  };
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Splits a PEM bundle into its certificates (each ending in a newline); other blocks are ignored. */
export function splitPemBundle(text: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => `${b}\n`);
}

function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    const curve = NODE_CURVES[details.namedCurve ?? ''];
    if (curve === 'P-256' || curve === 'P-384' || curve === 'P-521') return curve;
  }
  if (key.asymmetricKeyType === 'rsa' && details.modulusLength === 2048) return 'RSA-2048';
  throw new Error(`unsupported signing key (${key.asymmetricKeyType} ${details.namedCurve ?? details.modulusLength ?? ''})`);
}

/** Imports a PKCS#8 PEM private key as a WebCrypto signing key, with the algorithm it needs to sign. */
export async function importSigningKey(keyPem: string): Promise<{ key: CryptoKey; sign: EcdsaParams | Algorithm }> {
  const keyObject = createPrivateKey(keyPem);
  const alg = keyAlgorithmOf(keyObject);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const { sign } = keyParams(alg);
  const importAlg = alg === 'RSA-2048' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: alg };
  const key = await webcrypto.subtle.importKey('pkcs8', der, importAlg, false, ['sign']);
  return { key, sign };
}

async function newKeys(alg: KeyAlgorithm): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(keyParams(alg).gen, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

interface SignParams {
  subject: string;
  keys: CryptoKeyPair;
  issuer: KeyPairPem | undefined;
  notBefore: Date;
  notAfter: Date;
  extensions: x509.Extension[];
}

async function sign(p: SignParams): Promise<string> {
  const ski = await x509.SubjectKeyIdentifierExtension.create(p.keys.publicKey, false, webcrypto);
  let issuerName = p.subject;
  let signingKey = p.keys.privateKey;
  let signingAlgorithm: EcdsaParams | Algorithm;
  let aki: x509.AuthorityKeyIdentifierExtension;
  if (p.issuer) {
    const issuerCert = new x509.X509Certificate(p.issuer.certPem);
    const imported = await importSigningKey(p.issuer.keyPem);
    issuerName = issuerCert.subject;
    signingKey = imported.key;
    signingAlgorithm = imported.sign;
    // The AKI must equal the issuer's SKI; reuse it when present so chains built by OpenSSL and Go match up.
    const issuerSki = issuerCert.getExtension(x509.SubjectKeyIdentifierExtension);
    aki = issuerSki
      ? new x509.AuthorityKeyIdentifierExtension(issuerSki.keyId)
      : await x509.AuthorityKeyIdentifierExtension.create(issuerCert.publicKey, false, webcrypto);
  } else {
    signingAlgorithm = keyParams(algorithmOfCryptoKey(p.keys.privateKey)).sign;
    aki = new x509.AuthorityKeyIdentifierExtension(ski.keyId);
  }
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: p.subject,
      issuer: issuerName,
      notBefore: p.notBefore,
      notAfter: p.notAfter,
      publicKey: p.keys.publicKey,
      signingKey,
      signingAlgorithm,
      extensions: [...p.extensions, ski, aki],
    },
    webcrypto,
  );
  return cert.toString('pem') + '\n';
}

function algorithmOfCryptoKey(key: CryptoKey): KeyAlgorithm {
  const alg = key.algorithm as EcKeyAlgorithm | RsaHashedKeyAlgorithm;
  if ('namedCurve' in alg) return alg.namedCurve as KeyAlgorithm;
  return 'RSA-2048';
}

/** Escapes a value for an X.500 name string (RFC 4514) so commas or plus signs in a CN stay one attribute. */
function cn(value: string): string {
  return `CN=${value.replace(/([,+"\\<>;=#])/g, '\\$1')}`;
}

/** A CA: basicConstraints CA:TRUE with pathLen (critical), keyUsage keyCertSign+cRLSign (critical), SKI and AKI. */
export async function createCa(opts: CaOptions): Promise<KeyPairPem> {
  const keys = await newKeys(opts.keyAlgorithm ?? 'P-256');
  const certPem = await sign({
    subject: cn(opts.commonName),
    keys,
    issuer: opts.issuer,
    ...validity(opts),
    extensions: [
      new x509.BasicConstraintsExtension(true, opts.pathLength, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { certPem, keyPem: await exportKeyPem(keys.privateKey) };
}

/** A leaf: keyUsage digitalSignature, extKeyUsage serverAuth and/or clientAuth, SANs from dnsNames and ipAddresses. */
export async function createLeaf(opts: LeafOptions): Promise<KeyPairPem> {
  const keys = await newKeys(opts.keyAlgorithm ?? 'P-256');
  const serverAuth = opts.serverAuth ?? !opts.clientAuth;
  const usages = [
    ...(serverAuth ? [x509.ExtendedKeyUsage.serverAuth] : []),
    ...(opts.clientAuth ? [x509.ExtendedKeyUsage.clientAuth] : []),
  ];
  const names: x509.JsonGeneralName[] = [
    ...opts.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(usages, false),
  ];
  // RFC 5280: with an empty subject the SAN must be critical; with a CN it is not.
  if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const certPem = await sign({ subject: cn(opts.commonName), keys, issuer: opts.issuer, ...validity(opts), extensions });
  return { certPem, keyPem: await exportKeyPem(keys.privateKey) };
}

function curveOf(key: KeyObject): KeyCurve {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') return NODE_CURVES[details.namedCurve ?? ''] ?? details.namedCurve ?? 'EC';
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return `RSA-${details.modulusLength ?? 0}`;
  return key.asymmetricKeyType ?? 'unknown';
}

function commonNameOf(subject: string): string {
  const match = /(?:^|,\s*)CN=((?:\\.|[^,])*)/.exec(subject);
  return match ? match[1]!.replace(/\\(.)/g, '$1') : '';
}

/** Reads the first certificate of a PEM (bundle). Throws when the text holds no parsable certificate. */
export function inspectCertificate(pem: string): CertificateInfo {
  const first = splitPemBundle(pem)[0];
  if (!first) throw new Error('no PEM certificate found');
  const cert = new x509.X509Certificate(first);
  const node = new NodeCertificate(first);
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const sans = (san?.names.toJSON() ?? []).filter((n) => n.type === 'dns' || n.type === 'ip').map((n) => n.value);
  const fingerprint = createHash('sha256').update(node.raw).digest('hex').toUpperCase();
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    commonName: commonNameOf(cert.subject),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    isCa: bc?.ca ?? false,
    pathLength: bc?.ca ? bc.pathLength : undefined,
    keyUsage: ku ? KEY_USAGE_NAMES.filter(([flag]) => (ku.usages & flag) !== 0).map(([, name]) => name) : [],
    extKeyUsage: (eku?.usages ?? []).map((u) => EKU_NAMES[String(u)] ?? String(u)),
    curve: curveOf(node.publicKey),
    sans,
    serialNumber: cert.serialNumber.toLowerCase(),
    fingerprintSha256: fingerprint.match(/../g)!.join(':'),
    selfSigned: node.checkIssued(node) && node.verify(node.publicKey),
  };
}

function isSelfSigned(cert: NodeCertificate): boolean {
  return cert.checkIssued(cert) && cert.verify(cert.publicKey);
}

function timeProblem(info: CertificateInfo, now: Date): string | undefined {
  if (info.notBefore.getTime() > now.getTime()) return `certificate "${info.commonName}" is not valid before ${info.notBefore.toISOString()}`;
  if (info.notAfter.getTime() < now.getTime()) return `certificate "${info.commonName}" expired on ${info.notAfter.toISOString()}`;
  return undefined;
}

/**
 * Checks that leafPem chains, through certificates in caPems, to a self-signed certificate in caPems (the trust
 * anchors), the way `openssl verify -CAfile` does: signatures, CA flags, pathLen and validity at `now`.
 * Each entry of caPems may itself be a bundle; intermediates go in caPems too. `ignoreTime` skips validity dates.
 */
export function verifyChain(leafPem: string, caPems: string[], opts: { now?: Date; ignoreTime?: boolean } = {}): ChainVerdict {
  const now = opts.now ?? new Date();
  let current: NodeCertificate;
  let pool: { pem: string; node: NodeCertificate }[];
  try {
    const leaf = splitPemBundle(leafPem)[0];
    if (!leaf) return { ok: false, reason: 'no certificate found' };
    current = new NodeCertificate(leaf);
    pool = caPems.flatMap(splitPemBundle).map((pem) => ({ pem, node: new NodeCertificate(pem) }));
  } catch (error) {
    return { ok: false, reason: `cannot parse certificate: ${(error as Error).message}` };
  }
  const chain: string[] = [];
  let currentPem = splitPemBundle(leafPem)[0]!;
  // CA certificates seen below the current issuer, excluding the leaf: what pathLen limits.
  let intermediatesBelow = 0;
  for (let depth = 0; depth < 10; depth++) {
    const info = inspectCertificate(currentPem);
    chain.push(info.subject);
    const problem = opts.ignoreTime ? undefined : timeProblem(info, now);
    if (problem) return { ok: false, reason: problem };
    if (isSelfSigned(current)) {
      if (pool.some((p) => p.node.raw.equals(current.raw))) return { ok: true, chain };
      return { ok: false, reason: `"${info.commonName}" is self-signed and not one of the trusted CAs` };
    }
    const issuer = pool.find((p) => current.checkIssued(p.node) && current.verify(p.node.publicKey));
    if (!issuer) {
      const named = pool.find((p) => p.node.subject === current.issuer);
      return {
        ok: false,
        reason: named
          ? `"${info.commonName}" names "${commonNameOf(info.issuer)}" as issuer but its signature does not verify with that CA's key`
          : `"${info.commonName}" is not issued by any of the trusted CAs (issuer ${info.issuer})`,
      };
    }
    const issuerInfo = inspectCertificate(issuer.pem);
    if (!issuerInfo.isCa) return { ok: false, reason: `issuer "${issuerInfo.commonName}" is not a CA` };
    if (depth > 0) intermediatesBelow++;
    if (issuerInfo.pathLength !== undefined && intermediatesBelow > issuerInfo.pathLength) {
      return { ok: false, reason: `path length constraint of "${issuerInfo.commonName}" (${issuerInfo.pathLength}) exceeded` };
    }
    current = issuer.node;
    currentPem = issuer.pem;
  }
  return { ok: false, reason: 'chain is longer than 10 certificates' };
}

/** True when the private key belongs to the certificate (compares the public halves). */
export function keyMatchesCertificate(certPem: string, keyPem: string): boolean {
  try {
    const fromCert = new NodeCertificate(splitPemBundle(certPem)[0] ?? '').publicKey.export({ type: 'spki', format: 'der' });
    // The public half derived from the private key exports the same SPKI when they belong together.
    const spki = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    return Buffer.compare(fromCert, spki) === 0;
  } catch {
    return false;
  }
}

