// Lab 04 checks: Emissary available and meshed, its Listeners/Host/Mapping/Secret as configured, and TLS, redirect and routing seen from the host.
import { existsSync, readFileSync } from 'node:fs';
import { fail, pass, skip, type Check, type CheckOutcome } from '../../checks/types.ts';
import { assertServingCert } from '../../checks/probes/certs.ts';
import { httpRequest, type HttpResult } from '../../checks/probes/http.ts';
import { acceptsProtocol, inspectTls, ProtocolUnavailableError } from '../../checks/probes/tls.ts';
import type { K8sObject } from '../../scripts/cluster/kube.ts';
import type { LabContext } from '../../scripts/engine/types.ts';
import { displayPath } from '../../scripts/lib/paths.ts';
import { keyPairPaths } from '../../scripts/pki/store.ts';
import { LAB_CA_NAME } from '../../scripts/pki/lab-ca.ts';
import { keyMatchesCertificate } from '../../scripts/pki/x509.ts';
import { podinfo } from '../pins.ts';
import { deploymentProblem, meshedOutcome, selectorOf } from '../03-app/mesh.ts';
import { EMISSARY_NAME, EMISSARY_NAMESPACE, TLS_SECRET } from './steps.ts';

const LAB = '04';
const PROBE_TIMEOUT_MS = 5000;
/** A path with more than one segment shows whether the redirect keeps the path. */
const REDIRECT_PATH = '/some/path';
const UNKNOWN_HOST = 'nope.localhost';
/** Not a browser: podinfo answers `/` with its runtime JSON instead of the UI for any User-Agent not starting with Mozilla. */
const USER_AGENT = 'edge-to-mesh-lab-check';

/** Where the host's port mappings listen; 0.0.0.0 listens everywhere, so connect over loopback. */
function connectAddress(ctx: LabContext): string {
  const a = ctx.config.listenAddress;
  return a === '0.0.0.0' ? '127.0.0.1' : a === '::' ? '::1' : a;
}

function labCaPath(ctx: LabContext): string {
  return keyPairPaths(ctx.paths.pki, LAB_CA_NAME).certPath;
}

/** The lab CA's PEM, or a failure saying it is missing (behaviour checks trust only this CA). */
function readLabCa(ctx: LabContext): string | CheckOutcome {
  const path = labCaPath(ctx);
  if (!existsSync(path)) return fail(`the lab CA certificate ${displayPath(path)} is missing`);
  return readFileSync(path, 'utf8');
}

const origin = (scheme: 'http' | 'https', host: string, port: number) => new URL(`${scheme}://${host}:${port}`).origin;

function failedRequest(url: string, ctx: LabContext, r: Extract<HttpResult, { ok: false }>): CheckOutcome {
  return fail(`${url} (connecting to ${connectAddress(ctx)}) failed: ${r.reason}`, r.message);
}

/** podinfo's runtime JSON from the frontend, or why the body is something else. */
function podinfoFrontend(body: string): { ok: true; hostname: string } | { ok: false; why: string } {
  let info: { hostname?: unknown; version?: unknown };
  try {
    info = JSON.parse(body) as typeof info;
  } catch {
    return { ok: false, why: `the body is not podinfo's JSON: ${body.trim().slice(0, 80) || '(empty)'}` };
  }
  const hostname = typeof info?.hostname === 'string' ? info.hostname : '';
  if (!hostname.startsWith('frontend-')) return { ok: false, why: `the answer came from ${hostname || 'an unnamed server'}, not a frontend pod` };
  if (info.version !== podinfo.version) return { ok: false, why: `podinfo reports version ${String(info.version)}, expected ${podinfo.version}` };
  return { ok: true, hostname };
}

async function listAll(ctx: LabContext, resource: string): Promise<K8sObject[]> {
  return ctx.kube.list(resource, { allNamespaces: true });
}

const ref = (o: K8sObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

// ── config ────────────────────────────────────────────────────────────────

async function listenersOutcome(ctx: LabContext): Promise<CheckOutcome> {
  const listeners = await listAll(ctx, 'listeners.getambassador.io');
  const missing = [
    { port: 8080, protocol: 'HTTP' },
    { port: 8443, protocol: 'HTTPS' },
  ].filter((want) => !listeners.some((l) => l.spec?.port === want.port && l.spec?.protocol === want.protocol));
  if (missing.length === 0) return pass();
  const seen = listeners.map((l) => `${ref(l)} ${l.spec?.port}/${l.spec?.protocol ?? '?'}`).join(', ');
  return fail(`no Listener for ${missing.map((m) => `port ${m.port} with protocol ${m.protocol}`).join(' or ')} (found: ${seen || 'none'})`);
}

async function hostOutcome(ctx: LabContext): Promise<CheckOutcome> {
  const appHost = ctx.config.appHost;
  const hosts = await listAll(ctx, 'hosts.getambassador.io');
  const host = hosts.find((h) => h.spec?.hostname === appHost);
  if (!host) return fail(`no Host with hostname ${appHost} (found: ${hosts.map((h) => `${ref(h)} ${h.spec?.hostname ?? '(no hostname)'}`).join(', ') || 'none'})`);
  const problems: string[] = [];
  const secret = host.spec?.tlsSecret;
  const secretNs = secret?.namespace ?? host.metadata.namespace;
  if (!secret?.name) problems.push(`Host ${host.metadata.name} has no tlsSecret, so it serves no TLS`);
  else if (secret.name !== TLS_SECRET || secretNs !== EMISSARY_NAMESPACE) {
    problems.push(`Host ${host.metadata.name} uses secret ${secretNs}/${secret.name}, not ${EMISSARY_NAMESPACE}/${TLS_SECRET}`);
  }
  // Emissary's default for a Host's insecure action is Redirect (irhost.py), so an absent action is fine.
  const action: string = host.spec?.requestPolicy?.insecure?.action ?? 'Redirect';
  if (action !== 'Redirect') problems.push(`Host ${host.metadata.name} has requestPolicy.insecure.action ${action}, not Redirect`);
  if (host.status?.state === 'Error') problems.push(`Host ${host.metadata.name} is in state Error: ${host.status.errorReason ?? 'no reason given'}`);
  return problems.length ? fail(problems.join('; ')) : pass(host.status?.state ? `state ${host.status.state}` : undefined);
}

/** Accepts frontend.app[.svc[.cluster.local]]:9898, with or without http://; a bare "frontend" only from namespace app. */
function pointsAtFrontend(mapping: K8sObject): boolean {
  const service = String(mapping.spec?.service ?? '').replace(/^https?:\/\//, '');
  const [host, port] = service.split(':');
  const names = ['frontend.app', 'frontend.app.svc', 'frontend.app.svc.cluster.local'];
  return port === '9898' && (names.includes(host ?? '') || (host === 'frontend' && mapping.metadata.namespace === 'app'));
}

async function mappingOutcome(ctx: LabContext): Promise<CheckOutcome> {
  const appHost = ctx.config.appHost;
  const mappings = await listAll(ctx, 'mappings.getambassador.io');
  const forHost = mappings.filter((m) => (m.spec?.hostname ?? m.spec?.host ?? '*') === appHost);
  const root = forHost.filter((m) => m.spec?.prefix === '/');
  if (root.length === 0) {
    const seen = mappings.map((m) => `${ref(m)} ${m.spec?.hostname ?? '*'}${m.spec?.prefix ?? ''}`).join(', ');
    return fail(`no Mapping with hostname ${appHost} and prefix / (found: ${seen || 'none'})`);
  }
  if (!root.some(pointsAtFrontend)) {
    return fail(`Mapping ${root.map((m) => `${ref(m)} sends / to ${m.spec?.service ?? '(no service)'}`).join(', ')}, not frontend.app:9898`);
  }
  return pass();
}

async function tlsSecretOutcome(ctx: LabContext): Promise<CheckOutcome> {
  const ca = readLabCa(ctx);
  if (typeof ca !== 'string') return ca;
  const secret = await ctx.kube.get('secret', TLS_SECRET, EMISSARY_NAMESPACE);
  if (!secret) return fail(`secret ${TLS_SECRET} not found in namespace ${EMISSARY_NAMESPACE}`);
  if (secret.type !== 'kubernetes.io/tls') return fail(`secret ${TLS_SECRET} has type ${String(secret.type)}, not kubernetes.io/tls`);
  const decode = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
  const cert = decode('tls.crt');
  const key = decode('tls.key');
  if (!cert) return fail(`secret ${TLS_SECRET} has no tls.crt`);
  const verdict = assertServingCert(cert, { hostnames: [ctx.config.appHost], caPem: ca, now: ctx.now(), minDays: 7 });
  if (!verdict.ok) return fail(`secret ${TLS_SECRET}: ${verdict.reason}`);
  if (!keyMatchesCertificate(cert, key)) return fail(`secret ${TLS_SECRET}: tls.key does not belong to tls.crt`);
  return pass();
}

// ── behaviour ─────────────────────────────────────────────────────────────

async function handshakeOutcome(ctx: LabContext): Promise<CheckOutcome> {
  const ca = readLabCa(ctx);
  if (typeof ca !== 'string') return ca;
  const { appHost, httpsPort } = ctx.config;
  const seen = await inspectTls({ host: connectAddress(ctx), port: httpsPort, servername: appHost, ca, timeoutMs: PROBE_TIMEOUT_MS });
  const where = `${appHost} on ${connectAddress(ctx)}:${httpsPort}`;
  if (seen.protocol === null) return fail(`no TLS handshake with ${where}: ${seen.reason ?? 'error'}`, seen.detail);
  const leaf = seen.chain[0];
  const names = leaf ? `certificate for ${leaf.sans.join(', ') || leaf.subject}, issued by "${leaf.issuer}"` : 'no certificate';
  if (!seen.authorized) return fail(`the certificate served for ${where} is not accepted with the lab CA: ${seen.reason ?? 'error'} (${names})`, seen.detail);
  if (seen.protocol !== 'TLSv1.2' && seen.protocol !== 'TLSv1.3') return fail(`${where} negotiated ${seen.protocol}, older than TLS 1.2`);
  return pass(`${seen.protocol}, ${names}`);
}

async function oldTlsOutcome(ctx: LabContext): Promise<CheckOutcome> {
  const { appHost, httpsPort } = ctx.config;
  const accepted: string[] = [];
  const untested: string[] = [];
  for (const version of ['TLSv1', 'TLSv1.1'] as const) {
    try {
      if (await acceptsProtocol({ host: connectAddress(ctx), port: httpsPort, servername: appHost, version, timeoutMs: PROBE_TIMEOUT_MS })) accepted.push(version);
    } catch (error) {
      if (error instanceof ProtocolUnavailableError) untested.push(error.message);
      else return fail(`could not connect to ${connectAddress(ctx)}:${httpsPort} to offer ${version}: ${(error as { code?: string }).code ?? (error as Error).message}`);
    }
  }
  if (accepted.length) return fail(`${appHost} on port ${httpsPort} accepts ${accepted.join(' and ')}; only TLS 1.2 and newer should be allowed`);
  if (untested.length === 2) return skip(`${untested[0]}; TLS 1.0 and 1.1 could not be offered, so refusal was not tested`);
  return pass(untested.length ? `refused what could be offered (${untested.join('; ')})` : 'TLS 1.0 and 1.1 refused');
}

async function redirectOutcome(ctx: LabContext): Promise<CheckOutcome> {
  const { appHost, httpPort, httpsPort } = ctx.config;
  const url = `${origin('http', appHost, httpPort)}${REDIRECT_PATH}`;
  const r = await httpRequest({ url, connectTo: connectAddress(ctx), headers: { 'user-agent': USER_AGENT }, timeoutMs: PROBE_TIMEOUT_MS });
  if (!r.ok) return failedRequest(url, ctx, r);
  const location = typeof r.headers.location === 'string' ? r.headers.location : undefined;
  if (r.status !== 301) return fail(`${url} answered ${r.status}${location ? ` (Location ${location})` : ''}, expected 301 to HTTPS`);
  const exact = `${origin('https', appHost, httpsPort)}${REDIRECT_PATH}`;
  if (location === exact) return pass(`301 → ${location}`);
  const defaultPort = `https://${appHost}${REDIRECT_PATH}`;
  if (location === defaultPort && httpsPort !== 443) {
    return pass(`301 → ${location}: it names the default port 443, so with LAB_HTTPS_PORT=${httpsPort} the browser must be told :${httpsPort} (see the lab text)`);
  }
  return fail(`${url} redirects to ${location ?? '(no Location header)'}, expected ${exact}`);
}

async function appOutcome(ctx: LabContext): Promise<CheckOutcome> {
  const ca = readLabCa(ctx);
  if (typeof ca !== 'string') return ca;
  const { appHost, httpsPort } = ctx.config;
  const url = `${origin('https', appHost, httpsPort)}/`;
  const r = await httpRequest({ url, connectTo: connectAddress(ctx), ca, headers: { 'user-agent': USER_AGENT }, timeoutMs: PROBE_TIMEOUT_MS });
  if (!r.ok) return failedRequest(url, ctx, r);
  if (r.status !== 200) return fail(`${url} answered ${r.status}, expected 200 from podinfo`, r.body.slice(0, 400) || undefined);
  const app = podinfoFrontend(r.body);
  if (!app.ok) return fail(`${url} answered 200 but not from podinfo's frontend: ${app.why}`, r.body.slice(0, 400));
  return pass(`200 from ${app.hostname} over ${r.tls?.protocol ?? 'TLS'}`);
}

/**
 * Two tries: SNI and Host both unknown (a Host "*" with a Mapping "*" would answer), then valid SNI with an
 * unknown Host header (routing must go by hostname, not just by certificate). Neither may reach podinfo.
 */
async function unknownHostOutcome(ctx: LabContext): Promise<CheckOutcome> {
  const ca = readLabCa(ctx);
  if (typeof ca !== 'string') return ca;
  const { appHost, httpsPort } = ctx.config;
  const url = `${origin('https', UNKNOWN_HOST, httpsPort)}/`;
  const seen: string[] = [];
  for (const servername of [UNKNOWN_HOST, appHost]) {
    const r = await httpRequest({ url, connectTo: connectAddress(ctx), servername, ca, headers: { 'user-agent': USER_AGENT }, timeoutMs: PROBE_TIMEOUT_MS });
    const how = `SNI ${servername}, Host ${UNKNOWN_HOST}`;
    if (!r.ok) {
      if (r.reason === 'connection refused' || r.reason === 'timeout' || r.reason === 'name not resolved') return failedRequest(url, ctx, r);
      seen.push(`${how}: ${r.reason}`);
      continue;
    }
    if (podinfoFrontend(r.body).ok) return fail(`${how} got the app (${r.status} from podinfo): Emissary serves hostnames other than ${appHost}`);
    seen.push(`${how}: ${r.status}`);
  }
  return pass(seen.join('; '));
}

export const checks: Check[] = [
  {
    id: 'ingress.emissary-available',
    title: `deployment ${EMISSARY_NAME} is available`,
    lab: LAB,
    level: 'config',
    hint: 'emissary-available',
    async run(ctx) {
      const problem = deploymentProblem(await ctx.kube.get('deployment', EMISSARY_NAME, EMISSARY_NAMESPACE), EMISSARY_NAME, EMISSARY_NAMESPACE);
      return problem ? fail(problem) : pass();
    },
  },
  {
    id: 'ingress.emissary-meshed',
    title: 'every Emissary pod has a ready linkerd-proxy',
    lab: LAB,
    level: 'config',
    hint: 'emissary-meshed',
    async run(ctx) {
      const deployment = await ctx.kube.get('deployment', EMISSARY_NAME, EMISSARY_NAMESPACE);
      if (!deployment) return fail(`deployment ${EMISSARY_NAME} not found in namespace ${EMISSARY_NAMESPACE}`);
      const pods = await ctx.kube.list('pods', { namespace: EMISSARY_NAMESPACE, selector: selectorOf(deployment) });
      return meshedOutcome(pods, `of deployment ${EMISSARY_NAME} in namespace ${EMISSARY_NAMESPACE}`);
    },
  },
  {
    id: 'ingress.listeners',
    title: 'Listeners on 8080 (HTTP) and 8443 (HTTPS) exist',
    lab: LAB,
    level: 'config',
    hint: 'listeners',
    run: listenersOutcome,
  },
  {
    id: 'ingress.host',
    title: 'the Host names the app hostname, secret ingress-tls and redirects plain HTTP',
    lab: LAB,
    level: 'config',
    hint: 'host',
    run: hostOutcome,
  },
  {
    id: 'ingress.mapping',
    title: 'a Mapping sends / on the app hostname to frontend.app:9898',
    lab: LAB,
    level: 'config',
    hint: 'mapping',
    run: mappingOutcome,
  },
  {
    id: 'ingress.tls-secret',
    title: 'secret ingress-tls holds a certificate from the lab CA for the app hostname, valid for 7 more days',
    lab: LAB,
    level: 'config',
    hint: 'tls-secret',
    run: tlsSecretOutcome,
  },
  {
    id: 'ingress.tls-handshake',
    title: 'HTTPS on the app hostname verifies with the lab CA (TLS 1.2 or newer)',
    lab: LAB,
    level: 'behaviour',
    hint: 'tls-handshake',
    // Emissary reconfigures Envoy a few seconds after the Host or Secret changes.
    deadlineMs: 30_000,
    run: handshakeOutcome,
  },
  {
    id: 'ingress.old-tls-refused',
    title: 'TLS 1.0 and 1.1 are refused',
    lab: LAB,
    level: 'behaviour',
    hint: 'old-tls-refused',
    run: oldTlsOutcome,
  },
  {
    id: 'ingress.http-redirect',
    title: 'plain HTTP answers 301 to the same path over HTTPS',
    lab: LAB,
    level: 'behaviour',
    hint: 'http-redirect',
    deadlineMs: 30_000,
    run: redirectOutcome,
  },
  {
    id: 'ingress.https-app',
    title: 'GET / over HTTPS answers 200 from the podinfo frontend',
    lab: LAB,
    level: 'behaviour',
    hint: 'https-app',
    deadlineMs: 30_000,
    run: appOutcome,
  },
  {
    id: 'ingress.unknown-host',
    title: 'an unknown hostname does not reach the app',
    lab: LAB,
    level: 'behaviour',
    hint: 'unknown-host',
    run: unknownHostOutcome,
  },
];
