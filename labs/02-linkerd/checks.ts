// Lab 02 checks: control plane up with the lab's anchor and issuer, both sound, `linkerd check` clean, a new pod gets our identity.
import { fail, pass, type Check, type CheckOutcome } from '../../checks/types.ts';
import { assertIdentityAnchor, assertIdentityIssuer } from '../../checks/probes/certs.ts';
import type { LabContext } from '../../scripts/engine/types.ts';
import type { K8sObject } from '../../scripts/cluster/kube.ts';
import { displayPath } from '../../scripts/lib/paths.ts';
import { deploymentProblem } from '../01-cluster/status.ts';
import { describeFinding, findingEvidence, linkerdCheck } from './linkerd-check.ts';
import { parseIdentityOutput, proxyCertProblem } from './identity.ts';
import { anchorFiles, issuerFiles, readLocalCert, sameCertificates, shortFingerprint } from './pki.ts';
import { meshIdentity, PROBE } from './probe.ts';
import { ISSUER_SECRET, LINKERD_NAMESPACE, TRUST_ROOTS, VIZ_NAMESPACE } from './steps.ts';

const LAB = '02';
export const CONTROL_PLANE_DEPLOYMENTS = ['linkerd-identity', 'linkerd-destination', 'linkerd-proxy-injector'] as const;
export const VIZ_DEPLOYMENTS = ['metrics-api', 'prometheus', 'tap', 'tap-injector', 'web'] as const;
const PROXY = 'linkerd-proxy';

type Pem = { ok: true; pem: string } | { ok: false; outcome: CheckOutcome };

async function clusterAnchor(ctx: LabContext): Promise<Pem> {
  const cm = await ctx.kube.get('configmap', TRUST_ROOTS.configMap, LINKERD_NAMESPACE);
  const pem = cm?.data?.[TRUST_ROOTS.key];
  if (!cm) return { ok: false, outcome: fail(`ConfigMap ${TRUST_ROOTS.configMap} does not exist in namespace ${LINKERD_NAMESPACE}: the control plane is not installed`) };
  if (!pem) return { ok: false, outcome: fail(`ConfigMap ${TRUST_ROOTS.configMap} has no ${TRUST_ROOTS.key}`) };
  return { ok: true, pem };
}

async function clusterIssuer(ctx: LabContext): Promise<Pem> {
  const secret = await ctx.kube.get('secret', ISSUER_SECRET.name, LINKERD_NAMESPACE);
  if (!secret) return { ok: false, outcome: fail(`Secret ${ISSUER_SECRET.name} does not exist in namespace ${LINKERD_NAMESPACE}: the control plane is not installed`) };
  const b64 = secret.data?.[ISSUER_SECRET.key];
  if (!b64) return { ok: false, outcome: fail(`Secret ${ISSUER_SECRET.name} has no ${ISSUER_SECRET.key}`) };
  return { ok: true, pem: Buffer.from(b64, 'base64').toString('utf8') };
}

function localCert(ctx: LabContext, which: 'anchor' | 'issuer'): Pem {
  const path = (which === 'anchor' ? anchorFiles(ctx) : issuerFiles(ctx)).certPath;
  const pem = readLocalCert(path);
  return pem ? { ok: true, pem } : { ok: false, outcome: fail(`${displayPath(path)} does not exist: the lab's identity certificates were never made here`) };
}

async function deploymentsOutcome(ctx: LabContext, names: readonly string[], namespace: string): Promise<CheckOutcome> {
  const problems: string[] = [];
  for (const name of names) {
    const problem = deploymentProblem(await ctx.kube.get('deployment', name, namespace), name, namespace);
    if (problem) problems.push(problem);
  }
  return problems.length ? fail(problems.join('; ')) : pass(`${names.join(', ')} available`);
}

const controlPlane: Check = {
  id: 'linkerd.control-plane',
  title: 'the Linkerd control plane deployments are available',
  lab: LAB,
  level: 'config',
  hint: 'control-plane',
  fatal: true,
  run: (ctx) => deploymentsOutcome(ctx, CONTROL_PLANE_DEPLOYMENTS, LINKERD_NAMESPACE),
};

const trustAnchor: Check = {
  id: 'linkerd.trust-anchor',
  title: 'the cluster trusts the anchor in .lab/pki',
  lab: LAB,
  level: 'config',
  hint: 'trust-anchor',
  async run(ctx) {
    const ours = localCert(ctx, 'anchor');
    if (!ours.ok) return ours.outcome;
    const theirs = await clusterAnchor(ctx);
    if (!theirs.ok) return theirs.outcome;
    if (!sameCertificates(theirs.pem, ours.pem)) {
      return fail(
        `ConfigMap ${TRUST_ROOTS.configMap} holds trust anchor ${shortFingerprint(theirs.pem)}, not the one in ${displayPath(anchorFiles(ctx).certPath)} (${shortFingerprint(ours.pem)})`,
      );
    }
    return pass(`anchor ${shortFingerprint(ours.pem)}`);
  },
};

const issuer: Check = {
  id: 'linkerd.issuer',
  title: 'the identity issuer in the cluster is the one in .lab/pki',
  lab: LAB,
  level: 'config',
  hint: 'issuer',
  async run(ctx) {
    const ours = localCert(ctx, 'issuer');
    if (!ours.ok) return ours.outcome;
    const theirs = await clusterIssuer(ctx);
    if (!theirs.ok) return theirs.outcome;
    if (!sameCertificates(theirs.pem, ours.pem)) {
      return fail(
        `Secret ${ISSUER_SECRET.name} holds issuer ${shortFingerprint(theirs.pem)}, not the one in ${displayPath(issuerFiles(ctx).certPath)} (${shortFingerprint(ours.pem)})`,
      );
    }
    return pass(`issuer ${shortFingerprint(ours.pem)}`);
  },
};

const anchorValid: Check = {
  id: 'linkerd.anchor-valid',
  title: 'the trust anchor the cluster holds is an ECDSA P-256 CA with more than 60 days left',
  lab: LAB,
  level: 'config',
  hint: 'anchor-valid',
  async run(ctx) {
    const theirs = await clusterAnchor(ctx);
    if (!theirs.ok) return theirs.outcome;
    const verdict = assertIdentityAnchor(theirs.pem, ctx.now());
    return verdict.ok ? pass('P-256, CA, valid') : fail(`the trust anchor in ConfigMap ${TRUST_ROOTS.configMap}: ${verdict.reason}`);
  },
};

const issuerValid: Check = {
  id: 'linkerd.issuer-valid',
  title: 'the issuer the cluster holds is an ECDSA P-256 CA, issued by the anchor, with more than 60 days left',
  lab: LAB,
  level: 'config',
  hint: 'issuer-valid',
  async run(ctx) {
    const anchor = await clusterAnchor(ctx);
    if (!anchor.ok) return anchor.outcome;
    const theirs = await clusterIssuer(ctx);
    if (!theirs.ok) return theirs.outcome;
    const verdict = assertIdentityIssuer(theirs.pem, anchor.pem, ctx.now());
    return verdict.ok ? pass('P-256, CA, issued by the anchor, valid') : fail(`the issuer in Secret ${ISSUER_SECRET.name}: ${verdict.reason}`);
  },
};

const linkerdCheckErrors: Check = {
  id: 'linkerd.check',
  title: '`linkerd check` reports no errors',
  lab: LAB,
  level: 'config',
  hint: 'linkerd-check',
  async run(ctx) {
    const run = await linkerdCheck(ctx, { fresh: true });
    if (run.errors.length) {
      const first = run.errors[0]!;
      const more = run.errors.length > 1 ? ` (and ${run.errors.length - 1} more)` : '';
      return fail(`linkerd check failed in ${describeFinding(first)}${more}`, findingEvidence(run.errors));
    }
    const checked = run.outputs.flatMap((o) => o.categories).length;
    return pass(`${checked} categories passed${run.expected.length ? `; ignored ${run.expected.length} version-currency warning(s)` : ''}`);
  },
};

const linkerdCheckWarnings: Check = {
  id: 'linkerd.check-warnings',
  title: '`linkerd check` reports no warnings (beyond the pinned version)',
  lab: LAB,
  level: 'config',
  hint: 'linkerd-check-warnings',
  warning: true,
  async run(ctx) {
    const run = await linkerdCheck(ctx, { fresh: false });
    if (run.warnings.length) {
      return fail(`linkerd check warns in ${run.warnings.map(describeFinding).join('; ')}`, findingEvidence(run.warnings));
    }
    // Fatal errors end the run early, so "no warnings" would claim more than was checked.
    if (run.errors.length) {
      return fail(`linkerd check ended in an error, so it may not have reached every warning: ${describeFinding(run.errors[0]!)}`, findingEvidence(run.errors));
    }
    return pass(run.expected.length ? `only version-currency warnings: ${run.expected.map((f) => f.description).join(', ')}` : 'no warnings');
  },
};

const viz: Check = {
  id: 'linkerd.viz',
  title: 'linkerd-viz is available',
  lab: LAB,
  level: 'config',
  hint: 'viz',
  warning: true,
  run: (ctx) => deploymentsOutcome(ctx, VIZ_DEPLOYMENTS, VIZ_NAMESPACE),
};

/** The proxy container (native sidecar or classic) and its status. */
function proxyOf(pod: K8sObject): { spec?: { env?: Array<{ name: string; value?: string }> }; ready: boolean; native: boolean } | undefined {
  const initSpec = (pod.spec?.initContainers ?? []).find((c: { name: string }) => c.name === PROXY);
  const mainSpec = (pod.spec?.containers ?? []).find((c: { name: string }) => c.name === PROXY);
  if (!initSpec && !mainSpec) return undefined;
  const statuses: Array<{ name: string; ready?: boolean }> = initSpec ? (pod.status?.initContainerStatuses ?? []) : (pod.status?.containerStatuses ?? []);
  return { spec: initSpec ?? mainSpec, ready: statuses.some((s) => s.name === PROXY && s.ready === true), native: !!initSpec };
}

const probeIdentity: Check = {
  id: 'linkerd.probe-identity',
  title: 'a new pod in an injected namespace gets a proxy whose certificate comes from the lab issuer and anchor',
  lab: LAB,
  level: 'behaviour',
  hint: 'probe-identity',
  deadlineMs: 30_000,
  async run(ctx) {
    const anchor = localCert(ctx, 'anchor');
    if (!anchor.ok) return anchor.outcome;
    const issuerPem = localCert(ctx, 'issuer');
    if (!issuerPem.ok) return issuerPem.outcome;
    const pods = (await ctx.kube.list('pods', { namespace: PROBE.namespace, selector: `app.kubernetes.io/name=${PROBE.name}` })).filter(
      (p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running',
    );
    const pod = pods[0];
    if (!pod) return fail(`no running ${PROBE.name} pod in namespace ${PROBE.namespace}`);
    const name = pod.metadata.name;
    const proxy = proxyOf(pod);
    if (!proxy) return fail(`pod ${name} has no ${PROXY} container: it was created without injection`);
    if (!proxy.ready) return fail(`pod ${name}: ${PROXY} is not ready`);
    const anchors = proxy.spec?.env?.find((e) => e.name === 'LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS')?.value ?? '';
    if (!sameCertificates(anchors, anchor.pem)) {
      return fail(`the proxy of pod ${name} trusts anchor ${shortFingerprint(anchors)}, not the one in .lab/pki (${shortFingerprint(anchor.pem)}): the pod started before the anchor changed`);
    }
    const r = await ctx.exec.run(ctx.kube.linkerd('identity', '--namespace', PROBE.namespace, name), { quiet: true, reject: false, timeoutMs: 30_000 });
    const parsed = parseIdentityOutput(r.stdout);
    if (r.exitCode !== 0 || !parsed.ok) {
      const said = (r.stderr || r.stdout).trim();
      return fail(`linkerd identity could not read the certificate of pod ${name}: ${parsed.ok ? said.split('\n')[0] : parsed.reason}`, said);
    }
    const identity = meshIdentity(pod.spec?.serviceAccountName ?? 'default', PROBE.namespace);
    const cert = parsed.certs[0]!;
    const problem = proxyCertProblem(cert, { identity, issuerPem: issuerPem.pem, anchorPem: anchor.pem, now: ctx.now() });
    if (problem) return fail(problem, r.stdout.trim());
    return pass(`pod ${name} is ${identity}, certified by ${cert.issuer} until ${cert.notAfter.toISOString()}${proxy.native ? ' (native sidecar)' : ''}`);
  },
};

export const checks: Check[] = [controlPlane, trustAnchor, issuer, anchorValid, issuerValid, linkerdCheckErrors, linkerdCheckWarnings, viz, probeIdentity];
