// Reading a proxy's certificate with `linkerd identity` and judging whether it comes from the lab's issuer and anchor.
// x509.ts first: it loads the Reflect polyfill @peculiar/x509 needs before that module runs.
import { inspectCertificate, verifyChain } from '../../scripts/pki/x509.ts';
import * as x509 from '@peculiar/x509';

/**
 * `linkerd identity -n <ns> <pod>` (linkerd2 version-2.20 cli/cmd/identity.go) port-forwards to the proxy's
 * linkerd-admin port, makes a TLS handshake with the pod's identity as server name, and prints each non-CA
 * certificate the proxy presents as text (github.com/grantae/certinfo, an `openssl x509 -text` look-alike).
 * The text has no PEM, so the signature cannot be re-verified here; what it does carry is the issuer name, the
 * validity, the SAN and the Authority Key Identifier, which names the key that signed the certificate.
 */
export interface ProxyCertificate {
  pod: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  /** Upper-case hex without colons. */
  authorityKeyId?: string;
  curve?: string;
}

export type IdentityOutput = { ok: true; certs: ProxyCertificate[] } | { ok: false; reason: string };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's "Jan 2 15:04:05 2006 MST"; x509 times are UTC. */
export function parseGoTime(text: string): Date | undefined {
  const m = /^(\w{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})\s+(UTC|GMT)$/.exec(text.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1]!);
  if (month < 0) return undefined;
  return new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
}

function lineAfter(lines: string[], header: RegExp): string | undefined {
  const i = lines.findIndex((l) => header.test(l));
  return i >= 0 ? lines[i + 1]?.trim() : undefined;
}

function parseCertificate(pod: string, block: string): ProxyCertificate | string {
  const lines = block.split('\n');
  const issuer = /^\s*Issuer:\s*(.*)$/m.exec(block)?.[1]?.trim();
  const notBefore = parseGoTime(/Not Before:\s*(.+)$/m.exec(block)?.[1] ?? '');
  const notAfter = parseGoTime(/Not After\s*:\s*(.+)$/m.exec(block)?.[1] ?? '');
  if (!issuer || !notBefore || !notAfter) return `the certificate text of pod ${pod} has no readable issuer or validity`;
  const san = lineAfter(lines, /X509v3 Subject Alternative Name:/) ?? '';
  const dnsNames = san
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
  const aki = lineAfter(lines, /X509v3 Authority Key Identifier:/);
  const authorityKeyId = aki?.startsWith('keyid') ? aki.replace(/^keyid:?/, '').replace(/:/g, '').toUpperCase() : undefined;
  const curve = /^\s*Curve:\s*(\S+)/m.exec(block)?.[1];
  return { pod, issuer, notBefore, notAfter, dnsNames, ...(authorityKeyId ? { authorityKeyId } : {}), ...(curve ? { curve } : {}) };
}

/** Parses the whole output; the command exits 0 even when it could not fetch a certificate, so the text decides. */
export function parseIdentityOutput(text: string): IdentityOutput {
  const sections = text.split(/^POD (\S+) \(\d+ of \d+\)\s*$/m);
  if (sections.length < 3) return { ok: false, reason: text.trim().split('\n')[0] || 'linkerd identity printed nothing' };
  const certs: ProxyCertificate[] = [];
  for (let i = 1; i < sections.length; i += 2) {
    const pod = sections[i]!;
    const body = sections[i + 1] ?? '';
    const blocks = body.split(/^Certificate:\s*$/m).slice(1);
    if (blocks.length === 0) return { ok: false, reason: `pod ${pod}: ${body.trim().split('\n')[0] || 'no certificate'}` };
    for (const block of blocks) {
      const cert = parseCertificate(pod, block);
      if (typeof cert === 'string') return { ok: false, reason: cert };
      certs.push(cert);
    }
  }
  return { ok: true, certs };
}

/** Upper-case hex of a certificate's Subject Key Identifier, or undefined when it has none. */
export function subjectKeyId(pem: string): string | undefined {
  const ski = new x509.X509Certificate(pem).getExtension(x509.SubjectKeyIdentifierExtension);
  return ski?.keyId.toUpperCase();
}

function colons(hex: string): string {
  return hex.match(/../g)?.join(':') ?? hex;
}

/**
 * Undefined when the proxy certificate is for `identity`, valid at `now`, and names the lab issuer as signer
 * (issuer name and key id), with that issuer chaining to the lab anchor; otherwise the first problem found.
 */
export function proxyCertProblem(cert: ProxyCertificate, opts: { identity: string; issuerPem: string; anchorPem: string; now: Date }): string | undefined {
  const issuer = inspectCertificate(opts.issuerPem);
  if (!cert.dnsNames.includes(opts.identity)) {
    return `the proxy of pod ${cert.pod} presents a certificate for ${cert.dnsNames.join(', ') || '(no DNS name)'}, not ${opts.identity}`;
  }
  if (cert.notBefore > opts.now || cert.notAfter < opts.now) {
    return `the proxy certificate of pod ${cert.pod} is not valid now (valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`;
  }
  if (cert.issuer !== `CN=${issuer.commonName}`) {
    return `the proxy certificate of pod ${cert.pod} was issued by ${cert.issuer}, not by the lab issuer CN=${issuer.commonName}`;
  }
  const ski = subjectKeyId(opts.issuerPem);
  if (!ski || cert.authorityKeyId !== ski) {
    return `the proxy certificate of pod ${cert.pod} was signed by key ${cert.authorityKeyId ? colons(cert.authorityKeyId) : '(not named)'}, not by the key of .lab/pki's issuer (${ski ? colons(ski) : 'no key id'})`;
  }
  const chain = verifyChain(opts.issuerPem, [opts.anchorPem], { now: opts.now });
  if (!chain.ok) return `the lab issuer does not chain to the lab trust anchor: ${chain.reason}`;
  return undefined;
}
