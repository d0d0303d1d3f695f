// Lab 04: config checks on recorded states, behaviour checks against real loopback servers, manifests, plan golden, idempotent steps.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { fakeEnv, repoRoot, type FakeEnv, type Scenario, silentUi } from '../helpers/fake-env.ts';
import { createLabContext } from '../../scripts/engine/context.ts';
import { planArgv, planLab } from '../../scripts/engine/plan.ts';
import { runLab } from '../../scripts/engine/runner.ts';
import { defaultConfig, type LabConfig } from '../../scripts/lib/config.ts';
import { quoteArgv } from '../../scripts/lib/quote.ts';
import { STATE_SCHEMA } from '../../scripts/lib/state.ts';
import { ensureIngressCert } from '../../scripts/pki/lab-ca.ts';
import { readKeyPair } from '../../scripts/pki/store.ts';
import { createCa, createLeaf, type KeyPairPem } from '../../scripts/pki/x509.ts';
import { runChecks } from '../../checks/runner.ts';
import type { Check, CheckResult } from '../../checks/types.ts';
import type { K8sObject } from '../../scripts/cluster/kube.ts';
import type { LabContext } from '../../scripts/engine/types.ts';
import { findLab } from '../../labs/registry.ts';
import { emissary } from '../../labs/pins.ts';
import * as lab03 from '../../labs/03-app/lab.ts';
import * as lab04 from '../../labs/04-ingress-tls/lab.ts';
import { checks } from '../../labs/04-ingress-tls/checks.ts';
import { EMISSARY_IDENTITY, appHostYaml, secretManifest } from '../../labs/04-ingress-tls/steps.ts';
import { closedPort } from '../helpers/net.ts';

const STATES = join(repoRoot, 'tests', 'fixtures', 'states', '04-ingress-tls');
const GOLDEN = join(repoRoot, 'tests', 'labs', 'golden', 'plan-03-04.txt');
const byId = (id: string) => checks.find((c) => c.id === id)!;
const CONFIG_IDS = checks.filter((c) => c.level === 'config').map((c) => c.id);
const BEHAVIOUR_IDS = checks.filter((c) => c.level === 'behaviour').map((c) => c.id);

interface State extends Scenario {
  objects: K8sObject[];
}
const loadState = (name: 'before' | 'after'): State => JSON.parse(readFileSync(join(STATES, `${name}.json`), 'utf8')) as State;
const obj = (s: State, kind: string, name: string) => s.objects.find((o) => o.kind === kind && o.metadata.name === name)!;

const envs: FakeEnv[] = [];
afterEach(() => {
  while (envs.length) envs.pop()!.cleanup();
});

/** A fake cluster whose LAB_HOME has a fresh lab CA and ingress certificate; the Secret placeholders get that pair. */
async function contextFor(state: State, config: LabConfig = defaultConfig): Promise<{ fake: FakeEnv; ctx: LabContext; ingress: KeyPairPem }> {
  const fake = fakeEnv({});
  envs.push(fake);
  const pki = join(fake.env.LAB_HOME!, 'pki');
  await ensureIngressCert(pki, [config.appHost]);
  const pair = readKeyPair(pki, 'ingress')!;
  const b64 = (t: string) => Buffer.from(t).toString('base64');
  fake.setScenario(JSON.parse(JSON.stringify(state).replaceAll('__INGRESS_CRT_B64__', b64(pair.certPem)).replaceAll('__INGRESS_KEY_B64__', b64(pair.keyPem))));
  return { fake, ctx: createLabContext({ env: fake.env, ui: silentUi(), config }), ingress: pair };
}

async function runOne(check: Check, ctx: LabContext): Promise<CheckResult> {
  // One try: retrying until a deadline is the runner's business, tested elsewhere.
  return (await runChecks([{ ...check, deadlineMs: 0 }], ctx)).results[0]!;
}

// ── config checks on recorded states ──────────────────────────────────────

/** What each config check says on the recorded "before" state (lab 03 done, no Emissary). */
const BEFORE_CONFIG: Record<string, string> = {
  'ingress.emissary-available': 'deployment emissary-ingress not found in namespace emissary',
  'ingress.emissary-meshed': 'deployment emissary-ingress not found in namespace emissary',
  'ingress.listeners': 'no Listener for port 8080 with protocol HTTP or port 8443 with protocol HTTPS (found: none)',
  'ingress.host': 'no Host with hostname app.localhost (found: none)',
  'ingress.mapping': 'no Mapping with hostname app.localhost and prefix / (found: none)',
  'ingress.tls-secret': 'secret ingress-tls not found in namespace emissary',
};

describe('lab 04 config checks on recorded states', () => {
  it('the tables cover every check; ids carry the ingress. prefix and lab 04', () => {
    expect([...Object.keys(BEFORE_CONFIG), ...Object.keys(BEFORE_BEHAVIOUR)].sort()).toEqual(checks.map((c) => c.id).sort());
    expect(Object.keys(BEFORE_CONFIG).sort()).toEqual([...CONFIG_IDS].sort());
    for (const c of checks) {
      expect(c.id).toMatch(/^ingress\.[a-z-]+$/);
      expect(c.lab).toBe('04');
    }
  });

  for (const id of CONFIG_IDS) {
    it(`${id} fails before the lab with the expected message`, async () => {
      const { ctx } = await contextFor(loadState('before'));
      expect(await runOne(byId(id), ctx)).toMatchObject({ status: 'fail', message: BEFORE_CONFIG[id] });
    });
    it(`${id} passes after the lab`, async () => {
      const { ctx } = await contextFor(loadState('after'));
      const r = await runOne(byId(id), ctx);
      expect(r.message ?? '').not.toMatch(/not|no |fail/);
      expect(r.status).toBe('pass');
    });
  }
});

describe('lab 04 config checks on broken states', () => {
  const failWith = async (id: string, state: State, message: string) => {
    const { ctx } = await contextFor(state);
    expect(await runOne(byId(id), ctx)).toMatchObject({ status: 'fail', message });
  };

  it('emissary-available reports replicas', async () => {
    const s = loadState('after');
    obj(s, 'Deployment', 'emissary-ingress').status = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, unavailableReplicas: 1, conditions: [{ type: 'Available', status: 'False' }] };
    await failWith('ingress.emissary-available', s, 'deployment emissary-ingress has 0/1 available replicas');
  });

  it('emissary-meshed names an Emissary pod that started without a proxy', async () => {
    const s = loadState('after');
    const p = obj(s, 'Pod', 'emissary-ingress-5d4f8c7b69-hq6tz');
    p.spec.initContainers = [];
    p.status.initContainerStatuses = [];
    await failWith('ingress.emissary-meshed', s, 'pod emissary-ingress-5d4f8c7b69-hq6tz has no linkerd-proxy: it was created without injection');
  });

  it('emissary-meshed looks only at the deployment\'s own pods (found by its selector)', async () => {
    const s = loadState('after');
    obj(s, 'Deployment', 'emissary-ingress').spec.selector.matchLabels['app.kubernetes.io/instance'] = 'other';
    await failWith('ingress.emissary-meshed', s, 'no pods of deployment emissary-ingress in namespace emissary');
  });

  it('listeners: only the HTTP one', async () => {
    const s = loadState('after');
    s.objects = s.objects.filter((o) => !(o.kind === 'Listener' && o.metadata.name === 'https'));
    await failWith('ingress.listeners', s, 'no Listener for port 8443 with protocol HTTPS (found: emissary/http 8080/HTTP)');
  });

  it('host: Route instead of Redirect, another secret, and an Error state are all reported', async () => {
    const s = loadState('after');
    const host = obj(s, 'Host', 'app');
    host.spec.requestPolicy.insecure.action = 'Route';
    host.spec.tlsSecret = { name: 'wildcard' };
    host.status = { state: 'Error', errorReason: 'invalid TLS secret wildcard.emissary' };
    await failWith(
      'ingress.host',
      s,
      'Host app uses secret emissary/wildcard, not emissary/ingress-tls; Host app has requestPolicy.insecure.action Route, not Redirect; Host app is in state Error: invalid TLS secret wildcard.emissary',
    );
  });

  it('host: a Host for another name does not count', async () => {
    const s = loadState('after');
    obj(s, 'Host', 'app').spec.hostname = '*';
    await failWith('ingress.host', s, 'no Host with hostname app.localhost (found: emissary/app *)');
  });

  it('mapping: the service without its port', async () => {
    const s = loadState('after');
    obj(s, 'Mapping', 'frontend').spec.service = 'frontend.app';
    await failWith('ingress.mapping', s, 'Mapping emissary/frontend sends / to frontend.app, not frontend.app:9898');
  });

  it('tls-secret: a certificate from another CA', async () => {
    const { fake, ctx } = await contextFor(loadState('after'));
    const foreign = await createCa({ commonName: 'someone else', pathLength: 0, validDays: 30 });
    const leaf = await createLeaf({ commonName: 'app.localhost', dnsNames: ['app.localhost'], issuer: foreign, validDays: 30 });
    const s = fake.scenario() as State;
    obj(s, 'Secret', 'ingress-tls').data = { 'tls.crt': Buffer.from(leaf.certPem).toString('base64'), 'tls.key': Buffer.from(leaf.keyPem).toString('base64') };
    fake.setScenario(s);
    expect(await runOne(byId('ingress.tls-secret'), ctx)).toMatchObject({ status: 'fail', message: 'secret ingress-tls: not issued by the lab CA' });
  });

  it('tls-secret: a key that does not belong to the certificate', async () => {
    const { fake, ctx } = await contextFor(loadState('after'));
    const s = fake.scenario() as State;
    const other = await createCa({ commonName: 'x', pathLength: 0, validDays: 1 });
    obj(s, 'Secret', 'ingress-tls').data!['tls.key'] = Buffer.from(other.keyPem).toString('base64');
    fake.setScenario(s);
    expect(await runOne(byId('ingress.tls-secret'), ctx)).toMatchObject({ status: 'fail', message: 'secret ingress-tls: tls.key does not belong to tls.crt' });
  });

  it('tls-secret: a certificate for another hostname (LAB_APP_HOST changed since)', async () => {
    const { fake } = await contextFor(loadState('after'));
    const moved = createLabContext({ env: fake.env, ui: silentUi(), config: { ...defaultConfig, appHost: 'shop.localhost' } });
    expect(await runOne(byId('ingress.tls-secret'), moved)).toMatchObject({ status: 'fail', message: 'secret ingress-tls: certificate is valid for app.localhost, not shop.localhost' });
  });

  it('tls-secret: the lab CA is missing', async () => {
    const { fake, ctx } = await contextFor(loadState('after'));
    rmSync(join(fake.env.LAB_HOME!, 'pki', 'lab-ca.crt'));
    const r = await runOne(byId('ingress.tls-secret'), ctx);
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/^the lab CA certificate .*\/pki\/lab-ca\.crt is missing$/);
  });
});

// ── behaviour checks against real servers on loopback ────────────────────

const HOST = 'app.localhost';
const podinfoJson = (hostname: string) =>
  JSON.stringify({ hostname, version: '6.14.1', revision: 'eec06d1f', color: '#34577c', logo: 'https://raw.githubusercontent.com/stefanprodan/podinfo/gh-pages/cuddle_clap.gif', message: 'frontend: served through Emissary-ingress', goos: 'linux', goarch: 'amd64', runtime: 'go1.26.0', num_goroutine: '8', num_cpu: '4' }, null, 2);
const FRONTEND_POD = 'frontend-6c8b9d7f4b-x2k9q';

type Handler = http.RequestListener;
/** Routes by Host like Emissary with one Host/Mapping: the app on app.localhost, Envoy's empty 404 elsewhere. */
const emissaryLike: Handler = (req, res) => {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (host === HOST && req.url === '/') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', server: 'envoy' });
    res.end(podinfoJson(FRONTEND_POD));
  } else {
    res.writeHead(404, { server: 'envoy', 'content-length': '0' });
    res.end();
  }
};
const redirectTo = (location: (req: http.IncomingMessage) => string): Handler => (req, res) => {
  res.writeHead(301, { location: location(req), server: 'envoy', 'content-length': '0' });
  res.end();
};

let pki: { dir: string; ca: KeyPairPem; ingress: KeyPairPem; foreign: KeyPairPem; wrongName: KeyPairPem; expired: KeyPairPem };
let tls10Limitation: string | undefined;
/** Holds the behaviour tests' LAB_HOME (lab CA); kept out of `envs`, which each test's afterEach empties. */
let pkiEnv: FakeEnv | undefined;
const open: Array<http.Server | https.Server> = [];

async function listen(server: http.Server | https.Server): Promise<number> {
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.push(server);
  return (server.address() as AddressInfo).port;
}


interface Setup {
  cert?: KeyPairPem;
  legacyTls?: boolean;
  app?: Handler;
  /** Given the HTTPS port, what the plain-HTTP listener does. */
  plain?: (httpsPort: number) => Handler;
}

/** Starts an HTTPS and an HTTP server as Emissary would answer (or misanswer) and returns a context aimed at them. */
async function ingress(setup: Setup = {}): Promise<LabContext> {
  const cert = setup.cert ?? pki.ingress;
  const httpsPort = await listen(
    https.createServer({ key: cert.keyPem, cert: cert.certPem, ...(setup.legacyTls ? { minVersion: 'TLSv1' as const, ciphers: 'DEFAULT@SECLEVEL=0' } : { minVersion: 'TLSv1.2' as const }) }, setup.app ?? emissaryLike),
  );
  const plain = setup.plain ?? ((port: number) => redirectTo((req) => `https://${HOST}:${port}${req.url}`));
  const httpPort = await listen(http.createServer(plain(httpsPort)));
  return behaviourContext({ httpPort, httpsPort });
}

function behaviourContext(ports: { httpPort: number; httpsPort: number }): LabContext {
  return createLabContext({ env: { ...process.env, LAB_HOME: pki.dir }, ui: silentUi(), config: { ...defaultConfig, ...ports } });
}

function tryTls10(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: HOST, rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, () => {
      s.destroy();
      resolve(undefined);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(`OpenSSL ${process.versions.openssl} cannot do a TLS 1.0 handshake here (${e.code ?? e.message})`));
  });
}

beforeAll(async () => {
  const fake = fakeEnv({});
  const dir = fake.env.LAB_HOME!;
  await ensureIngressCert(join(dir, 'pki'), [HOST]);
  const ca = readKeyPair(join(dir, 'pki'), 'lab-ca')!;
  const foreignCa = await createCa({ commonName: 'someone else', pathLength: 0, validDays: 30 });
  pki = {
    dir,
    ca,
    ingress: readKeyPair(join(dir, 'pki'), 'ingress')!,
    foreign: await createLeaf({ commonName: HOST, dnsNames: [HOST], issuer: foreignCa, validDays: 30 }),
    wrongName: await createLeaf({ commonName: 'other.localhost', dnsNames: ['other.localhost'], issuer: ca, validDays: 30 }),
    expired: await createLeaf({ commonName: HOST, dnsNames: [HOST], issuer: ca, validDays: 1, notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2024-03-31T00:00:00Z') }),
  };
  const probe = await listen(https.createServer({ key: pki.ingress.keyPem, cert: pki.ingress.certPem, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }));
  tls10Limitation = await tryTls10(probe);
  pkiEnv = fake;
});

afterAll(async () => {
  await Promise.all(open.map((s) => new Promise((r) => s.close(r))));
  pkiEnv?.cleanup();
});

/** What each behaviour check says when nothing listens (before the lab: no Emissary behind the ports). */
const BEFORE_BEHAVIOUR: Record<string, (p: { httpPort: number; httpsPort: number }) => string> = {
  'ingress.tls-handshake': (p) => `no TLS handshake with app.localhost on 127.0.0.1:${p.httpsPort}: connection refused`,
  'ingress.old-tls-refused': (p) => `could not connect to 127.0.0.1:${p.httpsPort} to offer TLSv1: ECONNREFUSED`,
  'ingress.http-redirect': (p) => `http://app.localhost:${p.httpPort}/some/path (connecting to 127.0.0.1) failed: connection refused`,
  'ingress.https-app': (p) => `https://app.localhost:${p.httpsPort}/ (connecting to 127.0.0.1) failed: connection refused`,
  'ingress.unknown-host': (p) => `https://nope.localhost:${p.httpsPort}/ (connecting to 127.0.0.1) failed: connection refused`,
};

describe('lab 04 behaviour checks against loopback servers', () => {
  it('the table covers every behaviour check', () => {
    expect(Object.keys(BEFORE_BEHAVIOUR).sort()).toEqual([...BEHAVIOUR_IDS].sort());
  });

  for (const id of Object.keys(BEFORE_BEHAVIOUR)) {
    it(`${id} fails before the lab (nothing listening)`, async () => {
      const ports = { httpPort: await closedPort(), httpsPort: await closedPort() };
      expect(await runOne(byId(id), behaviourContext(ports))).toMatchObject({ status: 'fail', message: BEFORE_BEHAVIOUR[id]!(ports) });
    });
    it(`${id} passes after the lab`, async () => {
      const r = await runOne(byId(id), await ingress());
      if (id === 'ingress.old-tls-refused' && tls10Limitation) {
        expect(r.status).toBe('skip');
        return;
      }
      expect(r.status).toBe('pass');
    });
  }

  it('the passing notes say what was seen', async () => {
    const ctx = await ingress();
    expect((await runOne(byId('ingress.tls-handshake'), ctx)).message).toMatch(/^TLSv1\.3, certificate for app\.localhost, issued by "edge-to-mesh lab CA"$/);
    expect((await runOne(byId('ingress.https-app'), ctx)).message).toBe(`200 from ${FRONTEND_POD} over TLSv1.3`);
    expect((await runOne(byId('ingress.http-redirect'), ctx)).message).toBe(`301 → https://app.localhost:${ctx.config.httpsPort}/some/path`);
    expect((await runOne(byId('ingress.unknown-host'), ctx)).message).toBe('SNI nope.localhost, Host nope.localhost: name mismatch; SNI app.localhost, Host nope.localhost: 404');
  });

  it('tls-handshake: untrusted chain', async () => {
    const ctx = await ingress({ cert: pki.foreign });
    const r = await runOne(byId('ingress.tls-handshake'), ctx);
    expect(r).toMatchObject({
      status: 'fail',
      message: `the certificate served for app.localhost on 127.0.0.1:${ctx.config.httpsPort} is not accepted with the lab CA: untrusted (certificate for app.localhost, issued by "someone else")`,
    });
    expect((await runOne(byId('ingress.https-app'), ctx)).message).toBe(`https://app.localhost:${ctx.config.httpsPort}/ (connecting to 127.0.0.1) failed: untrusted`);
  });

  it('tls-handshake: SAN mismatch', async () => {
    const ctx = await ingress({ cert: pki.wrongName });
    expect(await runOne(byId('ingress.tls-handshake'), ctx)).toMatchObject({
      status: 'fail',
      message: `the certificate served for app.localhost on 127.0.0.1:${ctx.config.httpsPort} is not accepted with the lab CA: name mismatch (certificate for other.localhost, issued by "edge-to-mesh lab CA")`,
    });
  });

  it('tls-handshake: expired certificate', async () => {
    const ctx = await ingress({ cert: pki.expired });
    const r = await runOne(byId('ingress.tls-handshake'), ctx);
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/is not accepted with the lab CA: expired \(certificate for app\.localhost/);
  });

  it('old-tls-refused: a server that still allows TLS 1.0 and 1.1', async (t) => {
    const ctx = await ingress({ legacyTls: true });
    const r = await runOne(byId('ingress.old-tls-refused'), ctx);
    if (tls10Limitation) {
      // This machine's OpenSSL cannot offer TLS 1.0/1.1 at all: the check must say it could not test, not pass.
      expect(r.status).toBe('skip');
      t.skip(tls10Limitation);
    }
    expect(r).toMatchObject({ status: 'fail', message: `app.localhost on port ${ctx.config.httpsPort} accepts TLSv1 and TLSv1.1; only TLS 1.2 and newer should be allowed` });
  });

  it('http-redirect: no redirect (plain HTTP served)', async () => {
    const ctx = await ingress({ plain: () => emissaryLike });
    expect(await runOne(byId('ingress.http-redirect'), ctx)).toMatchObject({
      status: 'fail',
      message: `http://app.localhost:${ctx.config.httpPort}/some/path answered 404, expected 301 to HTTPS`,
    });
    const served = await ingress({ plain: () => (_req, res) => res.end(podinfoJson(FRONTEND_POD)) });
    expect((await runOne(byId('ingress.http-redirect'), served)).message).toBe(`http://app.localhost:${served.config.httpPort}/some/path answered 200, expected 301 to HTTPS`);
  });

  it('http-redirect: redirect to the wrong place (kept the HTTP port, dropped the path, stayed on http)', async () => {
    for (const wrong of [
      (p: { http: number; https: number }) => `https://app.localhost:${p.http}/some/path`,
      (p: { http: number; https: number }) => `https://app.localhost:${p.https}/`,
      (p: { http: number; https: number }) => `http://app.localhost:${p.https}/some/path`,
    ]) {
      let httpPort = 0;
      const ctx = await ingress({ plain: (httpsPort) => redirectTo(() => wrong({ http: httpPort, https: httpsPort })) });
      httpPort = ctx.config.httpPort;
      const r = await runOne(byId('ingress.http-redirect'), ctx);
      const expectedLocation = wrong({ http: ctx.config.httpPort, https: ctx.config.httpsPort });
      expect(r).toMatchObject({
        status: 'fail',
        message: `http://app.localhost:${ctx.config.httpPort}/some/path redirects to ${expectedLocation}, expected https://app.localhost:${ctx.config.httpsPort}/some/path`,
      });
    }
  });

  it('http-redirect: a redirect to the default port passes with a warning when LAB_HTTPS_PORT moved', async () => {
    const ctx = await ingress({ plain: () => redirectTo((req) => `https://${HOST}${req.url}`) });
    expect(await runOne(byId('ingress.http-redirect'), ctx)).toMatchObject({
      status: 'pass',
      message: `301 → https://app.localhost/some/path: it names the default port 443, so with LAB_HTTPS_PORT=${ctx.config.httpsPort} the browser must be told :${ctx.config.httpsPort} (see the lab text)`,
    });
  });

  it('https-app: wrong backend (200, but not the podinfo frontend)', async () => {
    const backend = await ingress({ app: (_req, res) => res.end(podinfoJson('backend-59f7c6d88d-p7w4m')) });
    expect(await runOne(byId('ingress.https-app'), backend)).toMatchObject({
      status: 'fail',
      message: `https://app.localhost:${backend.config.httpsPort}/ answered 200 but not from podinfo's frontend: the answer came from backend-59f7c6d88d-p7w4m, not a frontend pod`,
    });
    const hello = await ingress({ app: (_req, res) => res.end('hello from nginx') });
    expect((await runOne(byId('ingress.https-app'), hello)).message).toBe(
      `https://app.localhost:${hello.config.httpsPort}/ answered 200 but not from podinfo's frontend: the body is not podinfo's JSON: hello from nginx`,
    );
    const old = await ingress({ app: (_req, res) => res.end(podinfoJson(FRONTEND_POD).replace('6.14.1', '5.1.3')) });
    expect((await runOne(byId('ingress.https-app'), old)).message).toMatch(/podinfo reports version 5\.1\.3, expected 6\.14\.1$/);
    const missing = await ingress({ app: (_req, res) => res.writeHead(503).end('no healthy upstream') });
    expect((await runOne(byId('ingress.https-app'), missing)).message).toBe(`https://app.localhost:${missing.config.httpsPort}/ answered 503, expected 200 from podinfo`);
  });

  it('unknown-host: an ingress that serves every hostname (Host "*")', async () => {
    const ctx = await ingress({ app: (_req, res) => res.end(podinfoJson(FRONTEND_POD)) });
    expect(await runOne(byId('ingress.unknown-host'), ctx)).toMatchObject({
      status: 'fail',
      message: 'SNI app.localhost, Host nope.localhost got the app (200 from podinfo): Emissary serves hostnames other than app.localhost',
    });
  });
});

// ── lab text, manifests, plan ─────────────────────────────────────────────

describe('lab 04 text', () => {
  const readme = readFileSync(join(repoRoot, 'labs', '04-ingress-tls', 'README.md'), 'utf8');
  it('every hint has an explicit anchor right before the paragraph that explains the fix', () => {
    const lines = readme.split('\n');
    for (const c of checks) {
      const at = lines.indexOf(`<a id="${c.hint}"></a>`);
      expect(at, `anchor ${c.hint}`).toBeGreaterThan(-1);
      expect(lines[at + 1]).toMatch(new RegExp(`^\\*\\*${c.hint}\\.\\*\\*`));
    }
  });
  it('names Emissary\'s mesh identity, which lab 06 allow-lists', () => {
    expect(EMISSARY_IDENTITY).toBe('emissary-ingress.emissary.serviceaccount.identity.linkerd.cluster.local');
    expect(readme).toContain(EMISSARY_IDENTITY);
  });
});

describe('lab 04 manifests', () => {
  const dir = join(repoRoot, 'manifests', 'emissary');
  const docs = (file: string) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => d.toJSON() as K8sObject);

  it('the namespace is annotated for injection (helm --create-namespace would not be)', () => {
    expect(docs('namespace.yaml')).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'emissary', labels: { 'app.kubernetes.io/part-of': 'edge-to-mesh' }, annotations: { 'linkerd.io/inject': 'enabled' } } },
    ]);
  });

  // Checked against emissary v4.1.0 charts/emissary-ingress/values.yaml (top-level keys, service.ports shape,
  // module.enabled default true) and templates/{service,deployment,module,_helpers}.tpl: fullnameOverride names the
  // Deployment, Service and ServiceAccount; service.ports[].nodePort and service.externalTrafficPolicy are rendered.
  const UPSTREAM_TOP_LEVEL_KEYS = [
    'defaultImageRepository', 'nameOverride', 'fullnameOverride', 'namespaceOverride', 'replicaCount', 'daemonSet', 'barePod', 'test', 'canary',
    'ingressClassResource', 'autoscaling', 'podDisruptionBudget', 'namespace', 'env', 'envRaw', 'imagePullSecrets', 'security', 'image', 'dnsPolicy',
    'hostNetwork', 'service', 'adminService', 'rbac', 'scope', 'serviceAccount', 'deploymentStrategy', 'progressDeadlines', 'restartPolicy',
    'terminationGracePeriodSeconds', 'waitForApiext', 'initContainers', 'sidecarContainers', 'livenessProbe', 'readinessProbe', 'startupProbe',
    'volumes', 'volumeMounts', 'podLabels', 'podAnnotations', 'deploymentLabels', 'deploymentAnnotations', 'resources', 'priorityClassName',
    'nodeSelector', 'tolerations', 'affinity', 'topologySpreadConstraints', 'ambassadorConfig', 'metrics', 'resolvers', 'module',
    'prometheusExporter', 'deploymentTool', 'docker', 'createNamespace', 'createDefaultListeners', 'lifecycle',
  ];

  it('values.yaml: one replica, NodePorts 30080/30443, Local traffic policy, pinned names, the chart keeps its Module', () => {
    const values = parse(readFileSync(join(dir, 'values.yaml'), 'utf8'));
    for (const key of Object.keys(values)) expect(UPSTREAM_TOP_LEVEL_KEYS, `values key ${key}`).toContain(key);
    expect(values.fullnameOverride).toBe('emissary-ingress');
    expect(values.replicaCount).toBe(1);
    expect(values.service).toEqual({
      type: 'NodePort',
      externalTrafficPolicy: 'Local',
      ports: [
        { name: 'http', port: 80, targetPort: 8080, nodePort: 30080 },
        { name: 'https', port: 443, targetPort: 8443, nodePort: 30443 },
      ],
    });
    expect(values.resources.requests).toEqual({ cpu: '100m', memory: '256Mi' });
    expect(values.resources.limits).toEqual({ memory: '600Mi' });
    expect(values.createDefaultListeners).toBe(false);
    // Left to the chart: its default module.enabled=true renders Module "ambassador"; the lab applies no Module of its own.
    expect(values.module).toBeUndefined();
    for (const file of ['namespace.yaml', 'listeners.yaml', 'app-host.yaml']) expect(docs(file).some((d) => d.kind === 'Module'), file).toBe(false);
  });

  // Field names checked against emissary v4.1.0 pkg/api/getambassador.io/v3alpha1/crd_{listener,host,mapping}.go and the
  // v3alpha1 schemas in charts/emissary-crds/templates/{listeners,hosts,mappings}.yaml: Listener requires port, securityModel
  // (XFP|SECURE|INSECURE) and hostBinding; protocol is an enum incl. HTTP/HTTPS; Host.tlsSecret is a SecretReference,
  // requestPolicy.insecure.action is Redirect|Reject|Route; Mapping requires prefix and service; rewrite is a string.
  it('listeners.yaml: 8080 HTTP and 8443 HTTPS, XFP, hosts from all namespaces', () => {
    const ls = docs('listeners.yaml');
    expect(ls.map((l) => [l.apiVersion, l.kind, l.metadata.name, l.metadata.namespace])).toEqual([
      ['getambassador.io/v3alpha1', 'Listener', 'http', 'emissary'],
      ['getambassador.io/v3alpha1', 'Listener', 'https', 'emissary'],
    ]);
    expect(ls.map((l) => l.spec)).toEqual([
      { port: 8080, protocol: 'HTTP', securityModel: 'XFP', hostBinding: { namespace: { from: 'ALL' } } },
      { port: 8443, protocol: 'HTTPS', securityModel: 'XFP', hostBinding: { namespace: { from: 'ALL' } } },
    ]);
  });

  it('app-host.yaml: Host app (secret ingress-tls, Redirect) and Mapping frontend (/ → frontend.app:9898, path kept)', () => {
    const [host, mapping, ...rest] = docs('app-host.yaml');
    expect(rest).toEqual([]);
    expect(host).toEqual({
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Host',
      metadata: { name: 'app', namespace: 'emissary' },
      spec: { hostname: 'app.localhost', tlsSecret: { name: 'ingress-tls' }, requestPolicy: { insecure: { action: 'Redirect' } } },
    });
    expect(mapping).toEqual({
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Mapping',
      metadata: { name: 'frontend', namespace: 'emissary' },
      spec: { hostname: 'app.localhost', prefix: '/', rewrite: '', service: 'frontend.app:9898' },
    });
  });

  it('with LAB_APP_HOST the Host and Mapping carry that name and go to kubectl on stdin', () => {
    const fake = fakeEnv({});
    envs.push(fake);
    const ctx = createLabContext({ env: fake.env, ui: silentUi(), config: { ...defaultConfig, appHost: 'shop.localhost' } });
    const routes = lab04.steps.find((s) => s.id === 'routes')!.actions(ctx);
    const apply = routes[1] as { argv: string[]; stdinText?: string };
    expect(apply.argv.slice(5)).toEqual(['apply', '-f', '-']);
    const applied = parseAllDocuments(apply.stdinText!).map((d) => d.toJSON() as K8sObject);
    expect(applied.map((d) => [d.kind, d.spec.hostname])).toEqual([['Host', 'shop.localhost'], ['Mapping', 'shop.localhost']]);
    expect(applied[1]!.spec.service).toBe('frontend.app:9898');
    expect(appHostYaml('app.localhost')).not.toContain('shop');
  });

  it('the secret manifest is kubernetes.io/tls with base64 PEMs', () => {
    const s = parse(secretManifest('CERT PEM\n', 'KEY PEM\n'));
    expect(s).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: 'ingress-tls', namespace: 'emissary', labels: { 'app.kubernetes.io/part-of': 'edge-to-mesh' } },
      data: { 'tls.crt': Buffer.from('CERT PEM\n').toString('base64'), 'tls.key': Buffer.from('KEY PEM\n').toString('base64') },
    });
  });
});

describe('plan for labs 03 and 04', () => {
  const home = join(repoRoot, '.lab');
  const ctx = createLabContext({ env: { ...process.env, LAB_HOME: home }, ui: silentUi(), config: defaultConfig });
  const relative = (argv: string[]) => argv.map((a) => (a.startsWith(repoRoot + '/') ? a.slice(repoRoot.length + 1) : a));
  const argvs = [...planArgv(ctx, lab03, 'run'), ...planArgv(ctx, lab04, 'run')];

  it('matches the golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    const text = argvs.map((a) => quoteArgv(relative(a))).join('\n') + '\n';
    if (process.env.UPDATE_GOLDEN === '1') {
      mkdirSync(join(GOLDEN, '..'), { recursive: true });
      writeFileSync(GOLDEN, text);
    }
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('every kubectl/helm/linkerd command carries the lab kubeconfig and context', () => {
    expect(argvs.length).toBeGreaterThan(10);
    for (const argv of argvs) {
      expect(['kubectl', 'helm', 'linkerd']).toContain(argv[0]);
      expect(argv.slice(1, 5)).toEqual(['--kubeconfig', join(home, 'kubeconfig'), argv[0] === 'helm' ? '--kube-context' : '--context', 'kind-edge-to-mesh']);
    }
  });

  it('installs the pinned Emissary charts', () => {
    const helm = argvs.filter((a) => a[0] === 'helm').map((a) => a.slice(5));
    expect(helm).toEqual([
      ['upgrade', '--install', 'emissary-crds', emissary.crdsChart, '--version', '4.1.0', '--namespace', 'emissary', '--wait', '--timeout', '5m'],
      ['upgrade', '--install', 'emissary', emissary.chart, '--version', '4.1.0', '--namespace', 'emissary', '--values', join(repoRoot, 'manifests', 'emissary', 'values.yaml')],
    ]);
  });

  it('shows the secret as `kubectl create secret tls …` and never a key', () => {
    const text = planLab(ctx, findLab('04'), lab04, 'run').join('\n');
    expect(text).toMatch(/#   same as: kubectl --kubeconfig \S+ --context kind-edge-to-mesh create secret tls ingress-tls --cert \S*\.lab\/pki\/ingress\.crt --key \S*\.lab\/pki\/ingress\.key --namespace emissary --dry-run=client --output yaml \| kubectl --kubeconfig \S+ --context kind-edge-to-mesh apply -f -$/m);
    expect(text).not.toMatch(/PRIVATE KEY|tls\.key:/);
  });
});

// ── idempotence ───────────────────────────────────────────────────────────

describe('lab 04 steps', () => {
  it('a second run changes nothing: no helm upgrade, the same secret, applies report unchanged', async () => {
    const fake = fakeEnv({ persist: true, objects: loadState('before').objects.filter((o) => o.kind === 'Node' || o.kind === 'ConfigMap') });
    envs.push(fake);
    const home = fake.env.LAB_HOME!;
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'kubeconfig'), 'apiVersion: v1\nkind: Config\n');
    writeFileSync(join(home, 'state.json'), JSON.stringify({ schema: STATE_SCHEMA, cluster: { name: 'edge-to-mesh', id: 'c0ffee00-fixture', createdAt: '2026-12-01T10:00:00Z', config: defaultConfig }, labs: {} }));
    const ctx = createLabContext({ env: fake.env, ui: silentUi(), config: defaultConfig });
    const lab = findLab('04');

    const first = await runLab(ctx, lab, lab04, 'run');
    expect(first).toEqual({ ran: ['namespace', 'crds', 'install', 'tls-secret', 'routes', 'wait'], skipped: ['mesh'] });
    const after1 = fake.scenario();
    const n = fake.calls().length;
    const secretApply = fake.calls().find((c) => c.stdin?.includes('kind: Secret'))!;
    expect(secretApply.argv.slice(4)).toEqual(['apply', '-f', '-']);
    expect(fake.calls().every((c) => !c.argv.some((a) => a.includes('PRIVATE KEY')))).toBe(true);
    expect(existsSync(join(home, 'pki', 'ingress.key'))).toBe(true);
    const secret = (after1.objects as K8sObject[]).find((o) => o.kind === 'Secret')!;
    expect(Buffer.from(secret.data!['tls.crt']!, 'base64').toString()).toBe(readFileSync(join(home, 'pki', 'ingress.crt'), 'utf8'));

    const second = await runLab(ctx, lab, lab04, 'run');
    expect(second).toEqual({ ran: ['namespace', 'routes', 'wait'], skipped: ['crds', 'install', 'tls-secret', 'mesh'] });
    const again = fake.calls().slice(n);
    expect(again.filter((c) => c.tool === 'helm' && (c.argv.includes('upgrade') || c.argv.includes('install')))).toEqual([]);
    expect(again.filter((c) => c.argv.includes('apply')).map((c) => c.argv.slice(4))).toEqual([
      ['apply', '-f', join(repoRoot, 'manifests', 'emissary', 'namespace.yaml')],
      ['apply', '-f', join(repoRoot, 'manifests', 'emissary', 'listeners.yaml')],
      ['apply', '-f', join(repoRoot, 'manifests', 'emissary', 'app-host.yaml')],
    ]);
    expect(fake.scenario().objects).toEqual(after1.objects);
    expect(fake.scenario().helmReleases).toEqual({ 'emissary-crds': 1, emissary: 1 });

    for (const call of fake.calls().filter((c) => c.tool !== 'kind' && c.tool !== 'docker')) {
      expect(call.argv.slice(0, 4)).toEqual(['--kubeconfig', join(home, 'kubeconfig'), call.tool === 'helm' ? '--kube-context' : '--context', 'kind-edge-to-mesh']);
    }
  });

  it('restarts Emissary only when one of its own pods has no proxy', async () => {
    const mesh = lab04.steps.find((st) => st.id === 'mesh')!;
    const s = loadState('after');
    const stray = structuredClone(obj(s, 'Pod', 'emissary-ingress-5d4f8c7b69-hq6tz'));
    stray.metadata.name = 'debug-shell';
    stray.metadata.labels = { run: 'debug-shell' };
    stray.spec.initContainers = [];
    stray.status.initContainerStatuses = [];
    s.objects.push(stray);
    const { ctx } = await contextFor(s);
    expect(await mesh.satisfied!(ctx)).toBe('every pod of emissary-ingress has a linkerd-proxy');

    const unmeshed = loadState('after');
    const p = obj(unmeshed, 'Pod', 'emissary-ingress-5d4f8c7b69-hq6tz');
    p.spec.initContainers = [];
    p.status.initContainerStatuses = [];
    const { ctx: broken } = await contextFor(unmeshed);
    expect(await mesh.satisfied!(broken)).toBe(false);
    expect((mesh.actions(broken)[0] as { argv: string[] }).argv.slice(5)).toEqual(['rollout', 'restart', 'deployment/emissary-ingress', '--namespace', 'emissary']);
  });

  it('changed values.yaml or another chart version means the install step runs again', async () => {
    const fake = fakeEnv({ helmReleases: { emissary: 3 } });
    envs.push(fake);
    const ctx = createLabContext({ env: fake.env, ui: silentUi(), config: defaultConfig });
    const install = lab04.steps.find((s) => s.id === 'install')!;
    const values = parse(readFileSync(join(repoRoot, 'manifests', 'emissary', 'values.yaml'), 'utf8'));
    const set = (chart: string, v: unknown) =>
      fake.setScenario({ helmReleases: { emissary: 3 }, ...({ helmCharts: { emissary: { chart, namespace: 'emissary', values: v } } } as object) });
    set('emissary-ingress-4.1.0', values);
    expect(await install.satisfied!(ctx)).toBe('release emissary (emissary-ingress-4.1.0) is deployed with manifests/emissary/values.yaml');
    set('emissary-ingress-4.1.0', { ...values, replicaCount: 3 });
    expect(await install.satisfied!(ctx)).toBe(false);
    set('emissary-ingress-4.0.1', values);
    expect(await install.satisfied!(ctx)).toBe(false);
  });
});
