// One HTTP(S) request in-process (no curl): Host/SNI can differ from where we connect, failures become typed reasons.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { classifyError, describePeer, sniFor, timeoutError, type PeerCertificate, type ProbeFailure } from './tls.ts';

export interface HttpRequestOptions {
  url: string;
  /** Where to open the TCP connection (e.g. 127.0.0.1); the URL's host is then only Host header and SNI. */
  connectTo?: string;
  /** SNI and certificate name, when it should differ from the URL's host. */
  servername?: string;
  /** PEM file of the CA to trust instead of the system store. */
  caFile?: string;
  ca?: string | string[];
  headers?: Record<string, string>;
  method?: string;
  body?: string;
  timeoutMs: number;
  /** Redirects are never followed: a 301/308 is itself what a check looks at (e.g. HTTP→HTTPS). */
  followRedirects?: false;
}

export interface TlsInfo {
  protocol: string | null;
  cipher: string | null;
  authorized: boolean;
  peer: PeerCertificate | undefined;
}

/** Milliseconds from the start of the request. */
export interface HttpTimings {
  connectMs?: number;
  tlsMs?: number;
  firstByteMs?: number;
  totalMs: number;
}

export interface HttpResponse {
  /** A response arrived (whatever its status). */
  ok: true;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The first 64 KiB of the body, as UTF-8. */
  body: string;
  truncated: boolean;
  tls?: TlsInfo;
  timings: HttpTimings;
}

export interface HttpFailure {
  ok: false;
  reason: ProbeFailure;
  /** The underlying code or message, for evidence. */
  message: string;
  timings: HttpTimings;
}

export type HttpResult = HttpResponse | HttpFailure;

export const BODY_LIMIT = 64 * 1024;

export function httpRequest(opts: HttpRequestOptions): Promise<HttpResult> {
  const url = new URL(opts.url);
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') return Promise.resolve({ ok: false, reason: 'error', message: `unsupported scheme ${url.protocol}`, timings: { totalMs: 0 } });
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  let ca = opts.ca;
  if (opts.caFile) {
    try {
      ca = readFileSync(opts.caFile, 'utf8');
    } catch (error) {
      return Promise.resolve({ ok: false, reason: 'error', message: `cannot read ${opts.caFile}: ${(error as NodeJS.ErrnoException).code}`, timings: { totalMs: 0 } });
    }
  }
  const sni = sniFor(hostname, opts.servername);
  const started = performance.now();
  const since = () => Math.round(performance.now() - started);
  const timings: HttpTimings = { totalMs: 0 };

  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: HttpResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      result.timings.totalMs = since();
      req.destroy();
      resolve(result);
    };
    const fail = (error: unknown) =>
      settle({ ok: false, reason: classifyError(error), message: String((error as { code?: string }).code ?? (error as Error).message), timings });

    const options: https.RequestOptions = {
      host: opts.connectTo ?? hostname,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: opts.method ?? 'GET',
      // The Host header carries the URL's host even when we connect elsewhere: that is what routes at the ingress.
      headers: { host: url.host, ...opts.headers },
      // A fresh connection per probe: a pooled one would skip the handshake we want to observe.
      agent: false,
      ...(secure ? { ...(sni ? { servername: sni } : {}), ...(ca ? { ca } : {}), rejectUnauthorized: true } : {}),
    };
    const req = (secure ? https : http).request(options);
    const timer = setTimeout(() => fail(timeoutError(opts.timeoutMs)), opts.timeoutMs);
    let tlsInfo: TlsInfo | undefined;

    req.on('socket', (socket: Socket) => {
      socket.once('connect', () => (timings.connectMs = since()));
      if (secure) {
        socket.once('secureConnect', () => {
          timings.tlsMs = since();
          const s = socket as TLSSocket;
          const peer = s.getPeerCertificate();
          tlsInfo = {
            protocol: s.getProtocol(),
            cipher: s.getCipher()?.name ?? null,
            authorized: s.authorized,
            peer: peer && peer.raw ? describePeer(peer) : undefined,
          };
        });
      }
    });
    req.on('error', fail);
    req.on('response', (res) => {
      timings.firstByteMs = since();
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const done = () =>
        settle({
          ok: true,
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          truncated,
          ...(tlsInfo ? { tls: tlsInfo } : {}),
          timings,
        });
      res.on('data', (chunk: Buffer) => {
        const room = BODY_LIMIT - size;
        if (chunk.length >= room) {
          chunks.push(chunk.subarray(0, room));
          size = BODY_LIMIT;
          truncated = chunk.length > room || truncated;
          // Enough seen: stop reading rather than download an unbounded body.
          if (truncated) done();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', done);
      res.on('error', (error) => (chunks.length ? done() : fail(error)));
    });
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
