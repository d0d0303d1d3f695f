// Lab 02: checks fail on the recorded "before" cluster and pass on "after"; certificate and probe failure cases; parsers; idempotent steps.
import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { fakeEnv, repoRoot, type FakeCall, type FakeEnv, type Scenario, silentUi } from '../helpers/fake-env.ts';
import { seedLabHome } from '../helpers/cluster.ts';
import { createLabContext } from '../../scripts/engine/context.ts';
import { executeSteps, runLab } from '../../scripts/engine/runner.ts';
import { defaultConfig } from '../../scripts/lib/config.ts';
import { UserError } from '../../scripts/lib/errors.ts';
import { createCa, createLeaf, type KeyPairPem } from '../../scripts/pki/x509.ts';
import { ensureLinkerdIdentity } from '../../scripts/pki/linkerd-identity.ts';
import { runChecks } from '../../checks/runner.ts';
import type { Check, CheckResult } from '../../checks/types.ts';
import type { K8sObject } from '../../scripts/cluster/kube.ts';
import type { LabContext, LabModule } from '../../scripts/engine/types.ts';
import { findLab } from '../../labs/registry.ts';
import { gatewayApi, linkerd, podinfo } from '../../labs/pins.ts';
import * as lab02 from '../../labs/02-linkerd/lab.ts';
import { checks } from '../../labs/02-linkerd/checks.ts';
import { classify, parseJsonDocuments, type LinkerdCheckOutput } from '../../labs/02-linkerd/linkerd-check.ts';
import { parseIdentityOutput, subjectKeyId } from '../../labs/02-linkerd/identity.ts';
import { ANCHOR_ANNOTATION, probeManifest } from '../../labs/02-linkerd/probe.ts';
import { shortFingerprint } from '../../labs/02-linkerd/pki.ts';
import { CONTROL_PLANE_VALUES, VIZ_VALUES } from '../../labs/02-linkerd/steps.ts';

const STATES = join(repoRoot, 'tests', 'fixtures', 'states', '02-linkerd');
/** The recorded states were taken at 15:00 UTC on 2026-12-04; checks judge certificate times at this moment. */
const NOW = new Date('2026-12-04T15:30:00Z');
const POD = 'mesh-probe-6d9c7b8f4-q7x2k';
const IDENTITY = 'mesh-probe.mesh-probe.serviceaccount.identity.linkerd.cluster.local';

interface State extends Scenario {
  objects: K8sObject[];
}
const loadState = (name: 'before' | 'after'): State => JSON.parse(readFileSync(join(STATES, `${name}.json`), 'utf8')) as State;
const fixtureAnchor = readFileSync(join(STATES, 'pki', 'linkerd-trust-anchor.crt'), 'utf8');
const fixtureIssuer = readFileSync(join(STATES, 'pki', 'linkerd-issuer.crt'), 'utf8');

const envs: FakeEnv[] = [];
afterEach(() => {
  while (envs.length) envs.pop()!.cleanup();
});

/** The lab home as lab 01 leaves it, plus .lab/pki holding `pki` (the recorded certificates unless told otherwise). */
function contextFor(scenario: Scenario, opts: { pki?: { anchor?: string; issuer?: string } | null; now?: Date; flags?: LabContext['flags'] } = {}) {
  const fake = fakeEnv(scenario);
  envs.push(fake);
  seedLabHome(fake.env.LAB_HOME!);
  const ctx = createLabContext({ env: fake.env, ui: silentUi(), config: defaultConfig, now: () => opts.now ?? NOW, flags: opts.flags ?? {} });
  if (opts.pki !== null) {
    mkdirSync(ctx.paths.pki, { recursive: true });
    writeFileSync(join(ctx.paths.pki, 'linkerd-trust-anchor.crt'), opts.pki?.anchor ?? fixtureAnchor);
    writeFileSync(join(ctx.paths.pki, 'linkerd-issuer.crt'), opts.pki?.issuer ?? fixtureIssuer);
  }
  return { fake, ctx };
}

async function runOne(check: Check, scenario: Scenario, opts: Parameters<typeof contextFor>[1] = {}): Promise<CheckResult> {
  const { ctx } = contextFor(scenario, opts);
  return (await runChecks([{ ...check, deadlineMs: 0 }], ctx)).results[0]!;
}

const byId = (id: string) => checks.find((c) => c.id === id)!;
const failing = (c: Check) => (c.warning ? 'warning' : 'fail');

/** The after state with some objects replaced. */
function afterWith(change: (o: K8sObject) => K8sObject | null, extraRules: Scenario['rules'] = []): State {
  const s = loadState('after');
  return { ...s, objects: s.objects.map(change).filter((o): o is K8sObject => o !== null), rules: [...extraRules, ...(s.rules ?? [])] };
}
const isObj = (o: K8sObject, kind: string, name: string) => o.kind === kind && o.metadata.name === name;
function withClusterCerts(anchorPem: string | undefined, issuerPem: string | undefined): State {
  return afterWith((o): K8sObject => {
    if (anchorPem && isObj(o, 'ConfigMap', 'linkerd-identity-trust-roots')) return { ...o, data: { 'ca-bundle.crt': anchorPem.trim() } };
    if (issuerPem && isObj(o, 'Secret', 'linkerd-identity-issuer')) return { ...o, data: { ...o.data, 'crt.pem': Buffer.from(issuerPem.trim()).toString('base64') } };
    return o;
  });
}
function withProbePod(change: (pod: any) => void, extraRules: Scenario['rules'] = []): State {
  return afterWith((o) => {
    if (o.kind !== 'Pod') return o;
    const copy = structuredClone(o);
    change(copy);
    return copy;
  }, extraRules);
}

/** What each check says on the recorded "before" state: lab 01 done, nothing of Linkerd installed. */
const BEFORE: Record<string, string> = {
  'linkerd.control-plane':
    'deployment linkerd-identity not found in namespace linkerd; deployment linkerd-destination not found in namespace linkerd; deployment linkerd-proxy-injector not found in namespace linkerd',
  'linkerd.trust-anchor': 'ConfigMap linkerd-identity-trust-roots does not exist in namespace linkerd: the control plane is not installed',
  'linkerd.issuer': 'Secret linkerd-identity-issuer does not exist in namespace linkerd: the control plane is not installed',
  'linkerd.anchor-valid': 'ConfigMap linkerd-identity-trust-roots does not exist in namespace linkerd: the control plane is not installed',
  'linkerd.issuer-valid': 'ConfigMap linkerd-identity-trust-roots does not exist in namespace linkerd: the control plane is not installed',
  'linkerd.check': 'linkerd check failed in linkerd-config: control plane Namespace exists (The "linkerd" namespace does not exist)',
  'linkerd.check-warnings':
    'linkerd check ended in an error, so it may not have reached every warning: linkerd-config: control plane Namespace exists (The "linkerd" namespace does not exist)',
  'linkerd.viz':
    'deployment metrics-api not found in namespace linkerd-viz; deployment prometheus not found in namespace linkerd-viz; deployment tap not found in namespace linkerd-viz; deployment tap-injector not found in namespace linkerd-viz; deployment web not found in namespace linkerd-viz',
  'linkerd.probe-identity': 'no running mesh-probe pod in namespace mesh-probe',
};

describe('lab 02 checks on recorded states', () => {
  it('the table covers every check; ids carry the linkerd. prefix and lab 02', () => {
    expect(Object.keys(BEFORE).sort()).toEqual(checks.map((c) => c.id).sort());
    for (const c of checks) {
      expect(c.id).toMatch(/^linkerd\.[a-z-]+$/);
      expect(c.lab).toBe('02');
    }
    expect(checks.filter((c) => c.level === 'behaviour').map((c) => c.id)).toEqual(['linkerd.probe-identity']);
    expect(checks.filter((c) => c.warning).map((c) => c.id).sort()).toEqual(['linkerd.check-warnings', 'linkerd.viz']);
  });

  for (const check of checks) {
    it(`${check.id} fails before the lab with the expected message`, async () => {
      const r = await runOne(check, loadState('before'));
      expect(r.status).toBe(failing(check));
      expect(r.message).toBe(BEFORE[check.id]);
      expect(r.hint).toBe(`labs/02-linkerd/README.md#${check.hint}`);
    });
    it(`${check.id} passes after the lab`, async () => {
      const r = await runOne(check, loadState('after'));
      expect(r.status, r.message).toBe('pass');
    });
  }

  it('the after state passes with the notes a learner sees', async () => {
    const { ctx } = contextFor(loadState('after'));
    const report = await runChecks(checks.map((c) => ({ ...c, deadlineMs: 0 })), ctx);
    const notes = Object.fromEntries(report.results.map((r) => [r.id, r.message]));
    expect(report.success).toBe(true);
    expect(notes['linkerd.check']).toBe('11 categories passed; ignored 4 version-currency warning(s)');
    expect(notes['linkerd.check-warnings']).toBe(
      'only version-currency warnings: cli is up-to-date, control plane proxies are up-to-date, control plane is up-to-date, viz extension proxies are up-to-date',
    );
    expect(notes['linkerd.probe-identity']).toBe(`pod ${POD} is ${IDENTITY}, certified by CN=identity.linkerd.cluster.local until 2026-12-05T14:52:40.000Z (native sidecar)`);
  });

  it('reports missing .lab/pki files instead of comparing with nothing', async () => {
    const r = await runOne(byId('linkerd.trust-anchor'), loadState('after'), { pki: null });
    expect(r.message).toMatch(/^.*pki\/linkerd-trust-anchor\.crt does not exist: the lab's identity certificates were never made here$/);
  });
});

describe('lab 02 certificate failures reach the right check and hint', () => {
  const ANCHOR_T = new Date('2026-12-04T15:00:00Z');
  let anchor: KeyPairPem;
  const make = async () => (anchor ??= await createCa({ commonName: 'root.linkerd.cluster.local', pathLength: 1, validDays: 3650, now: ANCHOR_T }));
  const issuerUnder = async (a: KeyPairPem, extra: Partial<Parameters<typeof createCa>[0]> = {}) =>
    createCa({ commonName: 'identity.linkerd.cluster.local', pathLength: 0, validDays: 365, issuer: a, now: ANCHOR_T, ...extra });

  /** Cluster and .lab/pki agree (the lab installed them), so only the soundness checks can object. */
  async function installed(anchorPem: string, issuerPem: string, id: string) {
    return runOne(byId(id), withClusterCerts(anchorPem, issuerPem), { pki: { anchor: anchorPem, issuer: issuerPem } });
  }

  it('an issuer on the wrong curve fails linkerd.issuer-valid', async () => {
    const a = await make();
    const r = await installed(a.certPem, (await issuerUnder(a, { keyAlgorithm: 'P-384' })).certPem, 'linkerd.issuer-valid');
    expect(r.status).toBe('fail');
    expect(r.message).toBe('the issuer in Secret linkerd-identity-issuer: must use P-256 curve for public key, instead P-384 was used');
    expect(r.hint).toBe('labs/02-linkerd/README.md#issuer-valid');
  });

  it('an anchor on the wrong curve fails linkerd.anchor-valid', async () => {
    const a = await createCa({ commonName: 'root.linkerd.cluster.local', pathLength: 1, validDays: 3650, now: ANCHOR_T, keyAlgorithm: 'P-521' });
    const r = await installed(a.certPem, (await issuerUnder(a)).certPem, 'linkerd.anchor-valid');
    expect(r.message).toBe('the trust anchor in ConfigMap linkerd-identity-trust-roots: must use P-256 curve for public key, instead P-521 was used');
    expect(r.hint).toBe('labs/02-linkerd/README.md#anchor-valid');
  });

  it('an issuer that is not a CA fails linkerd.issuer-valid', async () => {
    const a = await make();
    const leaf = await createLeaf({ commonName: 'identity.linkerd.cluster.local', dnsNames: ['identity.linkerd.cluster.local'], issuer: a, validDays: 365, now: ANCHOR_T });
    const r = await installed(a.certPem, leaf.certPem, 'linkerd.issuer-valid');
    expect(r.status).toBe('fail');
    expect(r.message).toBe('the issuer in Secret linkerd-identity-issuer: issuer cert is not a CA');
    expect(r.hint).toBe('labs/02-linkerd/README.md#issuer-valid');
  });

  it('an expired issuer fails linkerd.issuer-valid, and linkerd check says so in linkerd-identity', async () => {
    const a = await make();
    const expired = await issuerUnder(a, { notBefore: new Date('2025-11-01T00:00:00Z'), notAfter: new Date('2026-11-30T00:00:00Z') });
    const r = await installed(a.certPem, expired.certPem, 'linkerd.issuer-valid');
    expect(r.status).toBe('fail');
    expect(r.message).toBe('the issuer in Secret linkerd-identity-issuer: not valid anymore. Expired on 2026-11-30T00:00:00Z');
    expect(r.hint).toBe('labs/02-linkerd/README.md#issuer-valid');

    const output: LinkerdCheckOutput = {
      success: false,
      categories: [
        { categoryName: 'kubernetes-api', checks: [{ description: 'can initialize the client', result: 'success' }] },
        {
          categoryName: 'linkerd-identity',
          checks: [
            { description: 'certificate config is valid', result: 'success' },
            { description: 'issuer cert is using supported crypto algorithm', result: 'success' },
            {
              description: 'issuer cert is within its validity period',
              hint: 'https://linkerd.io/2/checks/#l5d-identity-issuer-cert-is-time-valid',
              error: 'issuer certificate is not valid anymore. Expired on 2026-11-30T00:00:00Z',
              result: 'error',
            },
          ],
        },
      ],
    };
    const check = await runOne(
      byId('linkerd.check'),
      afterWith((o) => o, [{ tool: 'linkerd', args: ['check', '--output', 'json'], stdout: JSON.stringify(output, null, 2) + '\n', exit: 1 }]),
    );
    expect(check.status).toBe('fail');
    expect(check.message).toBe('linkerd check failed in linkerd-identity: issuer cert is within its validity period (issuer certificate is not valid anymore. Expired on 2026-11-30T00:00:00Z)');
    expect(check.evidence).toContain('see https://linkerd.io/2/checks/#l5d-identity-issuer-cert-is-time-valid');
    expect(check.hint).toBe('labs/02-linkerd/README.md#linkerd-check');
  });

  it('an issuer with 30 days left fails linkerd.issuer-valid, and linkerd check\'s warning becomes a warning', async () => {
    const a = await make();
    const soon = await issuerUnder(a, { notBefore: new Date('2026-01-03T15:30:00Z'), notAfter: new Date('2027-01-03T15:30:00Z') });
    const r = await installed(a.certPem, soon.certPem, 'linkerd.issuer-valid');
    expect(r.message).toBe('the issuer in Secret linkerd-identity-issuer: expires in 30 days (less than 60)');

    const after = loadState('after');
    const rule = after.rules!.find((x) => x.tool === 'linkerd' && x.args?.[0] === 'check')!;
    const docs = parseJsonDocuments(String(rule.stdout)) as LinkerdCheckOutput[];
    const identity = docs[0]!.categories.find((c) => c.categoryName === 'linkerd-identity')!;
    identity.checks = identity.checks.map((c) =>
      c.description === 'issuer cert is valid for at least 60 days'
        ? { ...c, result: 'warning', hint: 'https://linkerd.io/2/checks/#l5d-identity-issuer-cert-not-expiring-soon', error: 'issuer certificate will expire on 2027-01-03T15:30:00Z' }
        : c,
    );
    const stdout = docs.map((d) => JSON.stringify(d, null, 2)).join('\n') + '\n';
    const scenario = afterWith((o) => o, [{ tool: 'linkerd', args: ['check', '--output', 'json'], stdout }]);
    const { ctx } = contextFor(scenario);
    const report = await runChecks([byId('linkerd.check'), byId('linkerd.check-warnings')].map((c) => ({ ...c, deadlineMs: 0 })), ctx);
    expect(report.results.map((x) => x.status)).toEqual(['pass', 'warning']);
    expect(report.results[1]!.message).toBe('linkerd check warns in linkerd-identity: issuer cert is valid for at least 60 days (issuer certificate will expire on 2027-01-03T15:30:00Z)');
    expect(report.success).toBe(true);
  });

  it('a foreign trust anchor in the cluster fails linkerd.trust-anchor (and its issuer fails linkerd.issuer)', async () => {
    const foreign = await createCa({ commonName: 'root.linkerd.cluster.local', pathLength: 1, validDays: 3650, now: ANCHOR_T });
    const foreignIssuer = await issuerUnder(foreign);
    const scenario = withClusterCerts(foreign.certPem, foreignIssuer.certPem);
    const anchorResult = await runOne(byId('linkerd.trust-anchor'), scenario);
    expect(anchorResult.message).toMatch(new RegExp(`^ConfigMap linkerd-identity-trust-roots holds trust anchor ${shortFingerprint(foreign.certPem)}, not the one in .*pki/linkerd-trust-anchor\\.crt \\(${shortFingerprint(fixtureAnchor)}\\)$`));
    expect(anchorResult.hint).toBe('labs/02-linkerd/README.md#trust-anchor');
    const issuerResult = await runOne(byId('linkerd.issuer'), scenario);
    expect(issuerResult.hint).toBe('labs/02-linkerd/README.md#issuer');
    expect(issuerResult.message).toMatch(/^Secret linkerd-identity-issuer holds issuer [0-9a-f]{16}, not the one in .*pki\/linkerd-issuer\.crt \([0-9a-f]{16}\)$/);
  });

  it('an issuer signed by a foreign anchor fails linkerd.issuer-valid: not issued by the trust anchor', async () => {
    const foreign = await createCa({ commonName: 'root.linkerd.cluster.local', pathLength: 1, validDays: 3650, now: ANCHOR_T });
    const r = await runOne(byId('linkerd.issuer-valid'), withClusterCerts(undefined, (await issuerUnder(foreign)).certPem));
    expect(r.status).toBe('fail');
    expect(r.message).toBe('the issuer in Secret linkerd-identity-issuer: not issued by the trust anchor');
    expect(r.hint).toBe('labs/02-linkerd/README.md#issuer-valid');
  });
});

describe('lab 02 probe identity failures', () => {
  const probe = () => byId('linkerd.probe-identity');
  const identityRule = (stdout: string) => [{ tool: 'linkerd', args: ['identity', '--namespace', 'mesh-probe', POD], stdout }];
  const recordedIdentity = () => String(loadState('after').rules!.find((r) => r.tool === 'linkerd' && r.args?.[0] === 'identity')!.stdout);

  it('a pod created without injection', async () => {
    const r = await runOne(probe(), withProbePod((p) => (p.spec.initContainers = [])));
    expect(r.message).toBe(`pod ${POD} has no linkerd-proxy container: it was created without injection`);
  });

  it('a proxy that is not ready', async () => {
    const r = await runOne(probe(), withProbePod((p) => (p.status.initContainerStatuses[1].ready = false)));
    expect(r.message).toBe(`pod ${POD}: linkerd-proxy is not ready`);
  });

  it('a proxy that still trusts the anchor from before a rotation', async () => {
    const old = await createCa({ commonName: 'root.linkerd.cluster.local', pathLength: 1, validDays: 3650 });
    const r = await runOne(
      probe(),
      withProbePod((p) => (p.spec.initContainers[1].env.find((e: { name: string }) => e.name === 'LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS').value = old.certPem)),
    );
    expect(r.message).toBe(
      `the proxy of pod ${POD} trusts anchor ${shortFingerprint(old.certPem)}, not the one in .lab/pki (${shortFingerprint(fixtureAnchor)}): the pod started before the anchor changed`,
    );
  });

  it('a certificate signed by another issuer key', async () => {
    const text = recordedIdentity().replace(/keyid(:[0-9A-F]{2})+/, 'keyid:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14');
    const r = await runOne(probe(), afterWith((o) => o, identityRule(text)));
    expect(r.message).toMatch(new RegExp(`^the proxy certificate of pod ${POD} was signed by key 01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14, not by the key of \\.lab/pki's issuer \\(([0-9A-F]{2}:){19}[0-9A-F]{2}\\)$`));
    expect(r.hint).toBe('labs/02-linkerd/README.md#probe-identity');
  });

  it('a certificate for another identity', async () => {
    const text = recordedIdentity().replace(`DNS:${IDENTITY}`, 'DNS:default.mesh-probe.serviceaccount.identity.linkerd.cluster.local');
    const r = await runOne(probe(), afterWith((o) => o, identityRule(text)));
    expect(r.message).toBe(`the proxy of pod ${POD} presents a certificate for default.mesh-probe.serviceaccount.identity.linkerd.cluster.local, not ${IDENTITY}`);
  });

  it('a certificate that is no longer valid', async () => {
    const r = await runOne(probe(), loadState('after'), { now: new Date('2026-12-06T00:00:00Z') });
    expect(r.message).toBe(`the proxy certificate of pod ${POD} is not valid now (valid 2026-12-04T14:52:20.000Z to 2026-12-05T14:52:40.000Z)`);
  });

  it('linkerd identity cannot reach the proxy', async () => {
    const text = '\nPOD mesh-probe-6d9c7b8f4-q7x2k (1 of 1)\n\n\nfailed to find linkerd-admin port in linkerd-proxy container for given pod spec\n';
    const r = await runOne(probe(), afterWith((o) => o, identityRule(text)));
    expect(r.message).toBe(`linkerd identity could not read the certificate of pod ${POD}: pod ${POD}: failed to find linkerd-admin port in linkerd-proxy container for given pod spec`);
  });

  it('a classic (non-native) sidecar proxy passes too', async () => {
    const r = await runOne(
      probe(),
      withProbePod((p) => {
        const proxy = p.spec.initContainers.pop();
        delete proxy.restartPolicy;
        p.spec.containers.push(proxy);
        const status = p.status.initContainerStatuses.pop();
        p.status.containerStatuses.push(status);
      }),
    );
    expect(r.status, r.message).toBe('pass');
    expect(r.message).not.toContain('native sidecar');
  });
});

describe('parsers', () => {
  it('linkerd check: back-to-back documents (core, then each extension), braces inside strings', () => {
    const a = { success: true, categories: [{ categoryName: 'x', checks: [{ description: 'has {braces} and "quotes"', result: 'success' }] }] };
    const b = { success: false, categories: [{ categoryName: 'linkerd-viz', checks: [{ description: 'viz extension self-check', error: 'no } here', result: 'error' }] }] };
    expect(parseJsonDocuments(`${JSON.stringify(a, null, 2)}\n${JSON.stringify(b)}`)).toEqual([a, b]);
    expect(parseJsonDocuments(`${JSON.stringify(a)}${JSON.stringify(b)}`)).toEqual([a, b]);
    const sorted = classify([a, b] as LinkerdCheckOutput[]);
    expect(sorted.errors).toEqual([{ category: 'linkerd-viz', description: 'viz extension self-check', error: 'no } here' }]);
  });

  it('linkerd check: version-currency warnings are set aside, version mismatches are not', () => {
    const out = classify([
      {
        success: true,
        categories: [
          {
            categoryName: 'control-plane-version',
            checks: [
              { description: 'control plane is up-to-date', error: 'is running version 26.6.3 but the latest edge version is 26.11.5', result: 'warning' },
              { description: 'control plane and cli versions match', error: 'control plane running edge-26.6.3 but cli running edge-26.8.3', result: 'warning' },
            ],
          },
        ],
      },
    ]);
    expect(out.expected.map((f) => f.description)).toEqual(['control plane is up-to-date']);
    expect(out.warnings.map((f) => f.description)).toEqual(['control plane and cli versions match']);
  });

  it('linkerd identity: the recorded certinfo text yields identity, validity and the signing key id', () => {
    const text = String(loadState('after').rules!.find((r) => r.tool === 'linkerd' && r.args?.[0] === 'identity')!.stdout);
    const parsed = parseIdentityOutput(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.certs).toHaveLength(1);
    expect(parsed.certs[0]).toEqual({
      pod: POD,
      issuer: 'CN=identity.linkerd.cluster.local',
      notBefore: new Date('2026-12-04T14:52:20Z'),
      notAfter: new Date('2026-12-05T14:52:40Z'),
      dnsNames: [IDENTITY],
      authorityKeyId: subjectKeyId(fixtureIssuer),
      curve: 'P-256',
    });
    expect(parseIdentityOutput('Could not fetch Certificate. Ensure that the pod(s) are meshed by running `linkerd inject`\n')).toEqual({
      ok: false,
      reason: 'Could not fetch Certificate. Ensure that the pod(s) are meshed by running `linkerd inject`',
    });
  });
});

describe('lab 02 manifests', () => {
  // Checked against linkerd2 tag version-2.20 (= edge-26.6.3 + a go.mod bump; charts identical):
  // charts/linkerd-control-plane/values.yaml (controllerReplicas, enablePodAntiAffinity, enablePodDisruptionBudget,
  // disableHeartBeat, proxy.resources.{cpu,memory}.{request,limit}), templates using .Values.identityResources,
  // .Values.destinationResources, .Values.proxyInjectorResources (same shape as values-ha.yaml), and
  // viz/charts/linkerd-viz/values.yaml (prometheus.args map, prometheus.resources.{cpu,memory}.{request,limit}).
  it('control-plane values: one replica, no heartbeat, small requests, no certificates in the file', () => {
    const v = parse(readFileSync(CONTROL_PLANE_VALUES, 'utf8'));
    expect(v.controllerReplicas).toBe(1);
    expect(v.enablePodAntiAffinity).toBe(false);
    expect(v.disableHeartBeat).toBe(true);
    expect(v.proxy.resources).toEqual({ cpu: { request: '10m' }, memory: { request: '20Mi', limit: '250Mi' } });
    for (const key of ['identityResources', 'destinationResources', 'proxyInjectorResources']) {
      expect(Object.keys(v[key]).sort(), key).toEqual(['cpu', 'memory']);
      expect(v[key].memory.limit, key).toBe('250Mi');
    }
    expect(v.identityTrustAnchorsPEM).toBeUndefined();
    expect(v.identity).toBeUndefined();
  });

  it('viz values: 2h of metrics and a memory limit on prometheus', () => {
    const v = parse(readFileSync(VIZ_VALUES, 'utf8'));
    expect(v).toEqual({ prometheus: { args: { 'storage.tsdb.retention.time': '2h' }, resources: { cpu: { request: '50m' }, memory: { request: '128Mi', limit: '1Gi' } } } });
  });

  it('the probe: an injection-enabled namespace and a one-replica podinfo under its own ServiceAccount', () => {
    const docs = parseAllDocuments(probeManifest('abcdef0123456789')).map((d) => d.toJSON());
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Namespace/mesh-probe', 'ServiceAccount/mesh-probe', 'Deployment/mesh-probe']);
    expect(docs[0].metadata.annotations).toEqual({ 'linkerd.io/inject': 'enabled' });
    const dep = docs[2];
    expect(dep.apiVersion).toBe('apps/v1');
    expect(dep.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'mesh-probe' });
    expect(dep.spec.template.metadata.labels['app.kubernetes.io/name']).toBe('mesh-probe');
    expect(dep.spec.template.metadata.annotations[ANCHOR_ANNOTATION]).toBe('abcdef0123456789');
    expect(dep.spec.template.spec.serviceAccountName).toBe('mesh-probe');
    expect(dep.spec.template.spec.containers[0].image).toBe(podinfo.image);
  });
});

describe('lab 02 text', () => {
  it('has an explicit anchor right before a paragraph for every check hint', () => {
    const readme = readFileSync(join(repoRoot, 'labs', '02-linkerd', 'README.md'), 'utf8');
    for (const check of checks) expect(readme, check.hint).toMatch(new RegExp(`<a id="${check.hint}"></a>\\n+\\S`));
  });
});

const MUTATING = (c: FakeCall) =>
  (c.tool === 'kind' && ['create', 'delete'].includes(c.argv[0]!)) ||
  (c.tool === 'kubectl' && c.argv.some((a) => ['apply', 'create', 'delete', 'patch', 'label', 'annotate', 'restart', 'scale'].includes(a))) ||
  (c.tool === 'helm' && c.argv.some((a) => ['upgrade', 'install', 'uninstall', 'rollback'].includes(a)));

describe('lab 02 steps', () => {
  const lab = findLab('02');
  const mod = lab02 as LabModule;

  /**
   * Lab 01's cluster, the PKI already in .lab/pki and the ConfigMap/Secret the chart would make from it: the fake helm
   * records releases (chart-version, --values) but creates no objects, so those two stand in for its output.
   */
  async function installable() {
    const lab01 = JSON.parse(readFileSync(join(repoRoot, 'tests', 'fixtures', 'states', '01-cluster', 'after.json'), 'utf8')) as State;
    const { fake, ctx } = contextFor({ persist: true, kindClusters: ['edge-to-mesh'], objects: [], urls: { [gatewayApi.url]: join(STATES, 'gateway-api-standin.yaml') } } as Scenario, { pki: null, now: new Date() });
    const made = await ensureLinkerdIdentity(ctx.paths.pki);
    const anchorPem = readFileSync(made.trustAnchor.certPath, 'utf8');
    const issuerPem = readFileSync(made.issuer.certPath, 'utf8');
    const after = loadState('after');
    const chartMade = after.objects
      .filter((o) => isObj(o, 'ConfigMap', 'linkerd-identity-trust-roots') || isObj(o, 'Secret', 'linkerd-identity-issuer'))
      .map((o) => (o.kind === 'ConfigMap' ? { ...o, data: { 'ca-bundle.crt': anchorPem.trim() } } : { ...o, data: { ...o.data, 'crt.pem': Buffer.from(issuerPem.trim()).toString('base64') } }));
    const scenario = fake.scenario();
    fake.setScenario({ ...scenario, objects: [...lab01.objects, ...chartMade] });
    return { fake, ctx, anchorPem };
  }

  it('installs in order with the pinned charts and the .lab/pki files; a second run changes nothing', async () => {
    const { fake, ctx } = await installable();
    const first = await runLab(ctx, lab, mod, 'run');
    expect(first.ran).toEqual(['gateway-api', 'linkerd-crds', 'control-plane', 'viz', 'mesh-probe']);
    expect(first.skipped).toEqual(['identity-pki']);

    const mutations = fake.calls().filter(MUTATING);
    expect(mutations.map((c) => `${c.tool} ${c.argv.slice(4).filter((a) => !a.startsWith('-')).slice(0, 3).join(' ')}`)).toEqual([
      `kubectl apply ${gatewayApi.url}`,
      'helm upgrade linkerd-crds linkerd-crds',
      'helm upgrade linkerd-control-plane linkerd-control-plane',
      'helm upgrade linkerd-viz linkerd-viz',
      'kubectl apply',
    ]);
    expect(mutations[0]!.argv).toContain('--server-side');
    const cp = mutations[2]!.argv;
    expect(cp).toEqual(expect.arrayContaining(['--version', linkerd.chartVersion, '--repo', linkerd.helmRepo, '--namespace', 'linkerd', '--wait', '--timeout', '5m']));
    expect(cp).toContain(`identityTrustAnchorsPEM=${join(ctx.paths.pki, 'linkerd-trust-anchor.crt')}`);
    expect(cp).toContain(`identity.issuer.tls.keyPEM=${join(ctx.paths.pki, 'linkerd-issuer.key')}`);
    expect(cp).toContain(CONTROL_PLANE_VALUES);
    expect(mutations[1]!.argv).toEqual(expect.arrayContaining(['--create-namespace', '--wait']));
    expect(mutations[3]!.argv).toEqual(expect.arrayContaining(['--namespace', 'linkerd-viz', '--create-namespace', '--values', VIZ_VALUES]));
    expect(parseAllDocuments(mutations[4]!.stdin!).map((d) => d.toJSON().kind)).toEqual(['Namespace', 'ServiceAccount', 'Deployment']);

    const objectsBefore = JSON.stringify(fake.scenario().objects);
    const releasesBefore = fake.scenario().helmReleases;
    const callsBefore = fake.calls().length;
    const second = await runLab(ctx, lab, mod, 'run');
    // The probe Deployment the fake stored has no status (nothing runs it), so that step re-applies identical objects.
    expect(second.ran).toEqual(['mesh-probe']);
    const again = fake.calls().slice(callsBefore).filter(MUTATING);
    expect(again.map((c) => c.argv.slice(4, 7))).toEqual([['apply', '-f', '-']]);
    expect(again[0]!.stdin).toBe(mutations[4]!.stdin);
    expect(JSON.stringify(fake.scenario().objects)).toBe(objectsBefore);
    expect(fake.scenario().helmReleases).toEqual(releasesBefore);
  });

  it('--rotate makes new certificates, upgrades the control plane, restarts viz and rolls the probe', async () => {
    const { fake, ctx, anchorPem } = await installable();
    await runLab(ctx, lab, mod, 'run');
    const callsBefore = fake.calls().length;
    const rotating = createLabContext({ env: fake.env, ui: silentUi(), config: defaultConfig, flags: { rotate: true } });
    const out = await runLab(rotating, lab, mod, 'run');
    expect(out.ran).toEqual(['identity-pki', 'control-plane', 'viz', 'mesh-probe']);
    const newAnchor = readFileSync(join(ctx.paths.pki, 'linkerd-trust-anchor.crt'), 'utf8');
    expect(newAnchor).not.toBe(anchorPem);
    const mutations = fake.calls().slice(callsBefore).filter(MUTATING);
    expect(mutations.map((c) => c.argv.slice(4, 7).join(' '))).toEqual([
      'upgrade --install linkerd-control-plane',
      'upgrade --install linkerd-viz',
      'rollout restart deployment',
      'apply -f -',
    ]);
    const probe = parseAllDocuments(mutations[3]!.stdin!).map((d) => d.toJSON())[2];
    expect(probe.spec.template.metadata.annotations[ANCHOR_ANNOTATION]).toBe(shortFingerprint(newAnchor));
  });

  it('refuses to upgrade over a release stuck in pending-install, and says how to get out', async () => {
    const { ctx } = contextFor(
      {
        ...loadState('after'),
        rules: [{ tool: 'helm', args: ['list', '--namespace', 'linkerd'], stdout: JSON.stringify([{ name: 'linkerd-crds', namespace: 'linkerd', revision: '1', status: 'pending-install', chart: 'linkerd-crds-2026.6.3', app_version: '' }]) }],
      },
      { now: new Date() },
    );
    const step = mod.steps.find((s) => s.id === 'linkerd-crds')!;
    const error = await executeSteps(ctx, [step]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('Helm release linkerd-crds in namespace linkerd is stuck in status pending-install (an install or upgrade was interrupted)');
    expect((error as UserError).hint).toContain('npx lab helm uninstall linkerd-crds --namespace linkerd');
  });

  it('the PKI step is skipped when .lab/pki holds a valid pair, and the fixture pair really chains', async () => {
    const { ctx } = contextFor({}, { pki: null, now: new Date() });
    const pkiStep = mod.steps.find((s) => s.id === 'identity-pki')!;
    expect(await pkiStep.satisfied!(ctx)).toBe(false);
    await executeSteps(ctx, [pkiStep]);
    expect(await pkiStep.satisfied!(ctx)).toMatch(/^trust anchor and issuer in .*pki are valid \(issuer until \d{4}-\d{2}-\d{2}\)$/);
    copyFileSync(join(STATES, 'pki', 'linkerd-issuer.crt'), join(ctx.paths.pki, 'linkerd-issuer.crt'));
    // A certificate that does not belong to the key beside it is not reused.
    expect(await pkiStep.satisfied!(ctx)).toBe(false);
  });
});
