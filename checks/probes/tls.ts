// Looks at a TLS endpoint from outside: chain, name, dates, negotiated and accepted protocol versions.
import tls from 'node:tls';
import net from 'node:net';

/** Why a connection or handshake failed, in words the checks and `lab probe` print as-is. */
export type ProbeFailure =
  | 'connection refused'
  | 'connection reset'
  | 'name not resolved'
  | 'timeout'
  | 'untrusted'
  | 'name mismatch'
  | 'expired'
  | 'not yet valid'
  | 'tls error'
  | 'error';

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface PeerCertificate {
  subject: string;
  issuer: string;
  sans: string[];
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
}

export interface TlsInspection {
  authorized: boolean;
  /** Why not authorized (or why no handshake happened); undefined when authorized. */
  reason?: ProbeFailure;
  /** The underlying code or message (e.g. UNABLE_TO_GET_ISSUER_CERT_LOCALLY), for evidence. */
  detail?: string;
  protocol: string | null;
  cipher: string | null;
  /** Leaf first, as the server sent it (plus what the verifier appended). Empty without a handshake. */
  chain: PeerCertificate[];
}

export interface TlsTarget {
  host: string;
  port: number;
  /** SNI and the name the certificate must carry; defaults to host when host is a name. */
  servername?: string;
  /** PEM CA bundle to trust instead of the system store. */
  ca?: string | string[];
  timeoutMs?: number;
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'CERT_CHAIN_TOO_LONG',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
]);

/** Maps a Node/OpenSSL error (or authorizationError code) to a ProbeFailure. */
export function classifyError(error: unknown): ProbeFailure {
  const code = typeof error === 'string' ? error : String((error as { code?: unknown })?.code ?? '');
  const message = typeof error === 'string' ? '' : String((error as { message?: unknown })?.message ?? '');
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'name not resolved';
  if (code === 'ETIMEDOUT' || code === 'PROBE_TIMEOUT') return 'timeout';
  if (UNTRUSTED.has(code)) return 'untrusted';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return 'name mismatch';
  if (code === 'CERT_HAS_EXPIRED' || code === 'ERROR_IN_CERT_NOT_AFTER_FIELD') return 'expired';
  if (code === 'CERT_NOT_YET_VALID' || code === 'ERROR_IN_CERT_NOT_BEFORE_FIELD') return 'not yet valid';
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO' || /SSL|TLS/.test(message)) return 'tls error';
  return 'error';
}

/** The error every probe raises on its own deadline, so classifyError can tell it from a socket timeout. */
export function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no answer within ${ms}ms`), { code: 'PROBE_TIMEOUT' });
}

function nameOf(field: unknown): string {
  const cn = (field as { CN?: string | string[] } | undefined)?.CN;
  return Array.isArray(cn) ? cn.join(', ') : (cn ?? '');
}

function isoOf(opensslDate: string): string {
  const d = new Date(opensslDate);
  return Number.isNaN(d.getTime()) ? opensslDate : d.toISOString();
}

/** The parts of a peer certificate a learner needs to see. */
export function describePeer(cert: tls.PeerCertificate): PeerCertificate {
  const sans = (cert.subjectaltname ?? '')
    .split(/,\s*/)
    .filter(Boolean)
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''));
  return { subject: nameOf(cert.subject), issuer: nameOf(cert.issuer), sans, validFrom: isoOf(cert.valid_from), validTo: isoOf(cert.valid_to) };
}

/** Walks issuerCertificate links; a self-signed root points to itself, which ends the walk. */
export function peerChain(socket: tls.TLSSocket): PeerCertificate[] {
  const chain: PeerCertificate[] = [];
  let cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(describePeer(cert));
    cert = cert.issuerCertificate;
  }
  return chain;
}

/** SNI must not be an IP address (Node refuses it); for an IP, the certificate is matched against the IP. */
export function sniFor(host: string, servername?: string): string | undefined {
  const name = servername ?? host;
  return net.isIP(name) ? undefined : name;
}

/** One handshake with verification recorded rather than enforced, so an untrusted chain can still be described. */
export function inspectTls(target: TlsTarget): Promise<TlsInspection> {
  const timeoutMs = target.timeoutMs ?? 5000;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: TlsInspection) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const failed = (error: unknown): TlsInspection => ({
      authorized: false,
      reason: classifyError(error),
      detail: String((error as { code?: string })?.code ?? (error as Error)?.message ?? error),
      protocol: null,
      cipher: null,
      chain: [],
    });
    const sni = sniFor(target.host, target.servername);
    const socket = tls.connect({
      host: target.host,
      port: target.port,
      ...(sni ? { servername: sni } : {}),
      ...(target.ca ? { ca: target.ca } : {}),
      rejectUnauthorized: false,
      // checkServerIdentity only runs on the name given here; for an IP target without servername Node uses host.
    });
    const timer = setTimeout(() => finish(failed(timeoutError(timeoutMs))), timeoutMs);
    socket.once('secureConnect', () => {
      const code = socket.authorizationError ? String(socket.authorizationError) : undefined;
      finish({
        authorized: socket.authorized,
        ...(code ? { reason: classifyError(code), detail: code } : {}),
        protocol: socket.getProtocol(),
        cipher: socket.getCipher()?.name ?? null,
        chain: peerChain(socket),
      });
    });
    socket.once('error', (error) => finish(failed(error)));
  });
}

/** Thrown when this machine's OpenSSL cannot even offer the version, so the server's answer is unknown. */
export class ProtocolUnavailableError extends Error {
  constructor(readonly version: TlsVersion, detail: string) {
    super(`this machine's OpenSSL cannot offer ${version} (${detail})`);
    this.name = 'ProtocolUnavailableError';
  }
}

/**
 * True when the server completes a handshake pinned to exactly `version`, false when it refuses.
 * Rejects when no TCP connection could be made (that says nothing about the protocol) or when the
 * local OpenSSL cannot offer the version at all.
 */
export function acceptsProtocol(target: Omit<TlsTarget, 'ca'> & { version: TlsVersion }): Promise<boolean> {
  const timeoutMs = target.timeoutMs ?? 5000;
  const legacy = target.version === 'TLSv1' || target.version === 'TLSv1.1';
  return new Promise((resolve, reject) => {
    let connected = false;
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const sni = sniFor(target.host, target.servername);
    const socket = tls.connect({
      host: target.host,
      port: target.port,
      ...(sni ? { servername: sni } : {}),
      // Only the protocol matters here; trust is judged by inspectTls.
      rejectUnauthorized: false,
      minVersion: target.version,
      maxVersion: target.version,
      // OpenSSL 3 at its default security level 1 refuses TLS 1.0/1.1 on the client side (their MD5-SHA1
      // handshake signatures rate below 80 bits), so without SECLEVEL=0 we would report "refused" for a
      // server that in fact accepts them. Level 0 lifts that local limit for this probe only.
      ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
    });
    const timer = setTimeout(() => done(() => (connected ? resolve(false) : reject(timeoutError(timeoutMs)))), timeoutMs);
    socket.once('connect', () => (connected = true));
    socket.once('secureConnect', () => {
      // Read before done() destroys the socket: a destroyed socket reports no protocol.
      const negotiated = socket.getProtocol();
      done(() => resolve(negotiated === target.version));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE' || /no protocols available/i.test(error.message)) {
        return done(() => reject(new ProtocolUnavailableError(target.version, error.code ?? error.message)));
      }
      done(() => (connected ? resolve(false) : reject(error)));
    });
  });
}

/** Problems probeTls can find; a passing endpoint has none. */
export type TlsProblem = ProbeFailure | 'old protocol accepted';

export interface TlsVerdict {
  ok: boolean;
  target: string;
  servername: string | undefined;
  /** Every problem found, most important first; empty when ok. */
  problems: TlsProblem[];
  /** One line per problem (and per untested legacy version), for evidence. */
  details: string[];
  protocol: string | null;
  cipher: string | null;
  chain: PeerCertificate[];
  /** Whether the server accepted each legacy version; undefined when it could not be tested. */
  legacy: Partial<Record<'TLSv1' | 'TLSv1.1', boolean>>;
}

export interface ProbeTlsOptions {
  /** PEM CA bundle; omitted, the system store decides (as a browser would). */
  ca?: string | string[];
  servername?: string;
  /** Connect here instead of the URL's host (e.g. 127.0.0.1 for app.localhost behind a kind port map). */
  connectTo?: string;
  timeoutMs?: number;
}

const ORDER: TlsProblem[] = ['connection refused', 'timeout', 'untrusted', 'name mismatch', 'expired', 'not yet valid', 'old protocol accepted'];

/**
 * The verdict behind `lab probe tls`: ok only if the chain verifies, the name matches, the certificate is
 * within its dates, the negotiated protocol is TLS 1.2 or newer, and TLS 1.0 and 1.1 are refused.
 */
export async function probeTls(url: string, opts: ProbeTlsOptions = {}): Promise<TlsVerdict> {
  const parsed = new URL(url.includes('://') ? url : `https://${url}`);
  const hostname = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = Number(parsed.port || 443);
  const host = opts.connectTo ?? hostname;
  const servername = sniFor(hostname, opts.servername);
  const timeoutMs = opts.timeoutMs ?? 5000;
  const found = new Map<TlsProblem, string[]>();
  const add = (problem: TlsProblem, detail: string) => found.set(problem, [...(found.get(problem) ?? []), detail]);

  const seen = await inspectTls({ host, port, ...(servername ? { servername } : {}), ...(opts.ca ? { ca: opts.ca } : {}), timeoutMs });
  const legacy: TlsVerdict['legacy'] = {};
  const untested: string[] = [];

  if (seen.protocol === null) {
    add(seen.reason ?? 'error', `${host}:${port}: ${seen.detail ?? 'no handshake'}`);
  } else {
    // OpenSSL reports only the first verification error; name and dates are judged here too so all show at once.
    const leaf = seen.chain[0];
    if (leaf) {
      const name = servername ?? hostname;
      const peer = { subject: { CN: leaf.subject }, subjectaltname: leaf.sans.map((s) => (net.isIP(s) ? `IP Address:${s}` : `DNS:${s}`)).join(', ') };
      const mismatch = tls.checkServerIdentity(name, peer as unknown as tls.PeerCertificate);
      if (mismatch) add('name mismatch', `certificate is valid for ${leaf.sans.join(', ') || leaf.subject}, not ${name}`);
      const now = Date.now();
      if (Date.parse(leaf.validTo) < now) add('expired', `certificate expired on ${leaf.validTo}`);
      if (Date.parse(leaf.validFrom) > now) add('not yet valid', `certificate is not valid before ${leaf.validFrom}`);
    }
    // The verifier's own verdict, unless the checks above already said the same thing in plainer words.
    if (seen.reason && !found.has(seen.reason)) add(seen.reason, `verification failed: ${seen.detail}`);
    if (seen.protocol !== 'TLSv1.2' && seen.protocol !== 'TLSv1.3') add('old protocol accepted', `negotiated ${seen.protocol}`);
    for (const version of ['TLSv1', 'TLSv1.1'] as const) {
      try {
        legacy[version] = await acceptsProtocol({ host, port, ...(servername ? { servername } : {}), version, timeoutMs });
        if (legacy[version]) add('old protocol accepted', `server accepts ${version}`);
      } catch (error) {
        untested.push(`${version} not tested: ${(error as Error).message}`);
      }
    }
  }

  const problems = [...found.keys()].sort((a, b) => rank(a) - rank(b));
  return {
    ok: problems.length === 0,
    target: `${host}:${port}`,
    servername,
    problems,
    details: [...problems.flatMap((p) => found.get(p)!.map((d) => `${p}: ${d}`)), ...untested],
    protocol: seen.protocol,
    cipher: seen.cipher,
    chain: seen.chain,
    legacy,
  };
}

function rank(problem: TlsProblem): number {
  const i = ORDER.indexOf(problem);
  return i === -1 ? ORDER.length : i;
}
