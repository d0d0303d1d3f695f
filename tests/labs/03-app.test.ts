// Lab 03: every check fails on the recorded "before" cluster and passes on "after"; manifests, hints, mesh helpers and idempotent steps.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fakeEnv, repoRoot, type FakeEnv, type Scenario, silentUi } from '../helpers/fake-env.ts';
import { createLabContext } from '../../scripts/engine/context.ts';
import { runLab } from '../../scripts/engine/runner.ts';
import { defaultConfig } from '../../scripts/lib/config.ts';
import { STATE_SCHEMA } from '../../scripts/lib/state.ts';
import { runChecks } from '../../checks/runner.ts';
import type { Check, CheckResult } from '../../checks/types.ts';
import type { K8sObject } from '../../scripts/cluster/kube.ts';
import type { LabContext } from '../../scripts/engine/types.ts';
import { findLab } from '../../labs/registry.ts';
import { podinfo } from '../../labs/pins.ts';
import * as lab03 from '../../labs/03-app/lab.ts';
import { checks } from '../../labs/03-app/checks.ts';
import { meshedOutcome, proxyState } from '../../labs/03-app/mesh.ts';

const STATES = join(repoRoot, 'tests', 'fixtures', 'states', '03-app');
const IDENTITY = 'frontend.app.serviceaccount.identity.linkerd.cluster.local';

interface State extends Scenario {
  objects: K8sObject[];
}
const loadState = (name: 'before' | 'after'): State => JSON.parse(readFileSync(join(STATES, `${name}.json`), 'utf8')) as State;

const envs: FakeEnv[] = [];
afterEach(() => {
  while (envs.length) envs.pop()!.cleanup();
});

function contextFor(scenario: Scenario): { fake: FakeEnv; ctx: LabContext } {
  const fake = fakeEnv(scenario);
  envs.push(fake);
  return { fake, ctx: createLabContext({ env: fake.env, ui: silentUi(), config: defaultConfig }) };
}

async function runOne(check: Check, scenario: Scenario): Promise<CheckResult> {
  const { ctx } = contextFor(scenario);
  // One try: the retry deadline is the runner's business, tested elsewhere.
  const report = await runChecks([{ ...check, deadlineMs: 0 }], ctx);
  return report.results[0]!;
}

const byId = (id: string) => checks.find((c) => c.id === id)!;
const pod = (s: State, prefix: string) => s.objects.find((o) => o.kind === 'Pod' && o.metadata.name.startsWith(prefix))!;
const execRule = (stdout: string) => [{ tool: 'kubectl', args: ['exec', 'deploy/frontend', '--namespace', 'app', '-c', 'podinfo', '--', 'curl'], stdout }];

/** What each check says on the recorded "before" state (no namespace app yet). */
const BEFORE: Record<string, string> = {
  'app.deployments-available': 'deployment frontend not found in namespace app; deployment backend not found in namespace app',
  'app.pods-meshed': 'no pods in namespace app',
  'app.own-service-accounts': 'no frontend pod in namespace app; no backend pod in namespace app',
  'app.mesh-identity':
    'the frontend could not call the backend at http://backend.app.svc.cluster.local:9898/headers: Error from server (NotFound): deployments.apps "frontend" not found',
};

describe('lab 03 checks on recorded states', () => {
  it('the table covers every check, and ids carry the app. prefix and lab 03', () => {
    expect(Object.keys(BEFORE).sort()).toEqual(checks.map((c) => c.id).sort());
    for (const c of checks) {
      expect(c.id).toMatch(/^app\.[a-z-]+$/);
      expect(c.lab).toBe('03');
    }
    expect(checks.filter((c) => c.level === 'behaviour').map((c) => c.id)).toEqual(['app.mesh-identity']);
  });

  for (const check of checks) {
    it(`${check.id} fails before the lab with the expected message`, async () => {
      const r = await runOne(check, loadState('before'));
      expect(r.status).toBe('fail');
      expect(r.message).toBe(BEFORE[check.id]);
    });
    it(`${check.id} passes after the lab`, async () => {
      const r = await runOne(check, loadState('after'));
      expect(r.message ?? '').not.toMatch(/fail|error/i);
      expect(r.status).toBe('pass');
    });
  }

  it('mesh-identity passes with a note naming the identity the backend saw', async () => {
    const r = await runOne(byId('app.mesh-identity'), loadState('after'));
    expect(r.message).toBe(`backend saw l5d-client-id ${IDENTITY}`);
  });
});

describe('lab 03 checks on broken states', () => {
  it('deployments-available reports replicas when the backend is not ready', async () => {
    const s = loadState('after');
    const backend = s.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend')!;
    backend.status = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, unavailableReplicas: 1, conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }] };
    const r = await runOne(byId('app.deployments-available'), s);
    expect(r).toMatchObject({ status: 'fail', message: 'deployment backend has 0/1 available replicas' });
  });

  it('pods-meshed names a pod created without injection', async () => {
    const s = loadState('after');
    const p = pod(s, 'backend-');
    p.spec.initContainers = [];
    p.status.initContainerStatuses = [];
    const r = await runOne(byId('app.pods-meshed'), s);
    expect(r).toMatchObject({ status: 'fail', message: 'pod backend-59f7c6d88d-p7w4m has no linkerd-proxy: it was created without injection' });
  });

  it('pods-meshed reports a native-sidecar proxy that is crash-looping', async () => {
    const s = loadState('after');
    const status = pod(s, 'frontend-').status.initContainerStatuses.find((c: { name: string }) => c.name === 'linkerd-proxy');
    Object.assign(status, { ready: false, started: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } } });
    const r = await runOne(byId('app.pods-meshed'), s);
    expect(r).toMatchObject({ status: 'fail', message: 'pod frontend-6c8b9d7f4b-x2k9q: linkerd-proxy is not ready (CrashLoopBackOff, 4 restarts)' });
  });

  it('pods-meshed ignores a terminating unmeshed pod left over from a rollout', async () => {
    const s = loadState('after');
    const old = structuredClone(pod(s, 'backend-'));
    old.metadata.name = 'backend-5b8f9c7d6e-zz9aa';
    old.metadata.deletionTimestamp = '2026-12-01T10:06:00Z';
    old.spec.initContainers = [];
    old.status.initContainerStatuses = [];
    s.objects.push(old);
    expect((await runOne(byId('app.pods-meshed'), s)).status).toBe('pass');
  });

  it('own-service-accounts names a pod running as default', async () => {
    const s = loadState('after');
    const p = pod(s, 'frontend-');
    p.spec.serviceAccountName = 'default';
    p.spec.serviceAccount = 'default';
    const r = await runOne(byId('app.own-service-accounts'), s);
    expect(r).toMatchObject({ status: 'fail', message: 'pod frontend-6c8b9d7f4b-x2k9q runs as service account default, not frontend' });
  });

  it('mesh-identity fails when the backend saw no l5d-client-id (not meshed)', async () => {
    const s = { ...loadState('after'), rules: execRule(JSON.stringify({ Accept: ['*/*'], 'User-Agent': ['curl/8.14.1'] })) };
    const r = await runOne(byId('app.mesh-identity'), s);
    expect(r.status).toBe('fail');
    expect(r.message).toBe('the backend saw no l5d-client-id header: the call did not arrive over mesh mTLS, so one side has no linkerd-proxy');
    expect(r.evidence).toContain('curl/8.14.1');
  });

  it('mesh-identity fails on the wrong identity', async () => {
    const wrong = 'default.app.serviceaccount.identity.linkerd.cluster.local';
    const s = { ...loadState('after'), rules: execRule(JSON.stringify({ 'L5d-Client-Id': [wrong] })) };
    const r = await runOne(byId('app.mesh-identity'), s);
    expect(r).toMatchObject({ status: 'fail', message: `the backend saw the caller as ${wrong}, expected ${IDENTITY}` });
  });

  it('mesh-identity fails when the answer is not JSON', async () => {
    const s = { ...loadState('after'), rules: execRule('<html>502 Bad Gateway</html>') };
    const r = await runOne(byId('app.mesh-identity'), s);
    expect(r).toMatchObject({ status: 'fail', message: "the backend's /headers answer is not a JSON object: <html>502 Bad Gateway</html>" });
  });

  it('mesh-identity carries curl\'s error when the backend is unreachable', async () => {
    const s: Scenario = {
      ...loadState('after'),
      rules: [{ tool: 'kubectl', args: ['exec', 'deploy/frontend'], stderr: 'curl: (7) Failed to connect to backend.app.svc.cluster.local port 9898 after 2 ms: Could not connect to server\ncommand terminated with exit code 7', exit: 7 }],
    };
    const r = await runOne(byId('app.mesh-identity'), s);
    expect(r.status).toBe('fail');
    expect(r.message).toBe(
      'the frontend could not call the backend at http://backend.app.svc.cluster.local:9898/headers: curl: (7) Failed to connect to backend.app.svc.cluster.local port 9898 after 2 ms: Could not connect to server command terminated with exit code 7',
    );
  });

  it('mesh-identity runs curl in the frontend\'s podinfo container through the lab kubeconfig and context', async () => {
    const { fake, ctx } = contextFor(loadState('after'));
    await byId('app.mesh-identity').run(ctx);
    const exec = fake.calls().find((c) => c.argv.includes('exec'))!;
    expect(exec.argv).toEqual([
      '--kubeconfig', join(fake.env.LAB_HOME!, 'kubeconfig'), '--context', 'kind-edge-to-mesh',
      'exec', 'deploy/frontend', '--namespace', 'app', '-c', 'podinfo', '--', 'curl', '-sS', '--max-time', '5', 'http://backend.app.svc.cluster.local:9898/headers',
    ]);
  });
});

describe('proxyState', () => {
  const base = () => structuredClone(pod(loadState('after'), 'frontend-'));
  it('reads a native sidecar from initContainerStatuses', () => {
    expect(proxyState(base())).toEqual({ kind: 'ready', native: true });
  });
  it('reads a classic proxy container from containerStatuses', () => {
    const p = base();
    const init = p.spec.initContainers.find((c: { name: string }) => c.name === 'linkerd-proxy');
    p.spec.initContainers = p.spec.initContainers.filter((c: { name: string }) => c.name !== 'linkerd-proxy');
    p.spec.containers.unshift({ ...init, restartPolicy: undefined });
    const st = p.status.initContainerStatuses.find((c: { name: string }) => c.name === 'linkerd-proxy');
    p.status.initContainerStatuses = p.status.initContainerStatuses.filter((c: { name: string }) => c.name !== 'linkerd-proxy');
    p.status.containerStatuses.unshift(st);
    expect(proxyState(p)).toEqual({ kind: 'ready', native: false });
    expect(meshedOutcome([p], 'in namespace app')).toEqual({ status: 'pass', note: '1 pod with a ready proxy' });
  });
  it('a declared proxy with no status yet is not ready, not missing', () => {
    const p = base();
    p.status.initContainerStatuses = [];
    expect(proxyState(p)).toEqual({ kind: 'not-ready', native: true, detail: 'has not started yet' });
  });
});

describe('lab 03 text and manifests', () => {
  const readme = readFileSync(join(repoRoot, 'labs', '03-app', 'README.md'), 'utf8');

  it('every hint has an explicit anchor right before the paragraph that explains the fix', () => {
    for (const c of checks) {
      const lines = readme.split('\n');
      const at = lines.indexOf(`<a id="${c.hint}"></a>`);
      expect(at, `anchor ${c.hint}`).toBeGreaterThan(-1);
      expect(lines[at + 1]).toMatch(new RegExp(`^\\*\\*${c.hint}\\.\\*\\*`));
    }
  });

  // Checked against podinfo 6.14.1 (cmd/podinfo/main.go flags --port/--backend-url, routes /readyz /healthz /headers,
  // Dockerfile USER app: a name, hence the numeric runAsUser) and Kubernetes apps/v1 + core/v1 field names.
  const docs = readdirSync(join(repoRoot, 'manifests', 'app'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(repoRoot, 'manifests', 'app', f), 'utf8')).map((d) => ({ file: f, obj: d.toJSON() as K8sObject })));
  const find = (kind: string, name: string) => docs.find((d) => d.obj.kind === kind && d.obj.metadata.name === name)?.obj;

  it('parses, and the namespace comes first (kubectl apply -f dir goes in name order) with injection enabled', () => {
    expect(docs[0]!.obj).toMatchObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', annotations: { 'linkerd.io/inject': 'enabled' } } });
    expect(docs.map((d) => `${d.obj.kind}/${d.obj.metadata.name}`)).toEqual([
      'Namespace/app',
      'ServiceAccount/backend', 'Deployment/backend', 'Service/backend',
      'ServiceAccount/frontend', 'Deployment/frontend', 'Service/frontend',
    ]);
    for (const d of docs.slice(1)) expect(d.obj.metadata.namespace).toBe('app');
  });

  for (const name of ['frontend', 'backend']) {
    it(`${name}: pinned podinfo, own ServiceAccount, probes, resources, locked-down security context`, () => {
      const dep = find('Deployment', name)!;
      expect(dep.apiVersion).toBe('apps/v1');
      expect(dep.spec.replicas).toBe(1);
      expect(dep.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': name });
      const tpl = dep.spec.template;
      expect(tpl.metadata.labels['app.kubernetes.io/name']).toBe(name);
      expect(tpl.spec.serviceAccountName).toBe(name);
      expect(find('ServiceAccount', name)).toBeDefined();
      expect(tpl.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      const [c] = tpl.spec.containers;
      expect(tpl.spec.containers).toHaveLength(1);
      expect(c.name).toBe('podinfo');
      expect(c.image).toBe(podinfo.image);
      expect(c.ports).toEqual([{ name: 'http', containerPort: 9898, protocol: 'TCP' }]);
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.resources).toEqual({ requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } });
      expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
      expect(c.env.find((e: { name: string }) => e.name === 'PODINFO_UI_MESSAGE')?.value).toMatch(new RegExp(`^${name}: `));
      expect(c.command.slice(0, 2)).toEqual(['./podinfo', '--port=9898']);
      const svc = find('Service', name)!;
      expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/name': name });
      expect(svc.spec.ports).toEqual([{ name: 'http', port: 9898, targetPort: 'http', protocol: 'TCP' }]);
    });
  }

  it('the frontend calls the backend\'s /headers, which shows the caller\'s identity', () => {
    const c = find('Deployment', 'frontend')!.spec.template.spec.containers[0];
    expect(c.command).toContain('--backend-url=http://backend.app.svc.cluster.local:9898/headers');
    expect(find('Deployment', 'backend')!.spec.template.spec.containers[0].command.some((a: string) => a.startsWith('--backend-url'))).toBe(false);
  });
});

describe('lab 03 steps', () => {
  function seedGuard(fake: FakeEnv): void {
    mkdirSync(fake.env.LAB_HOME!, { recursive: true });
    writeFileSync(join(fake.env.LAB_HOME!, 'kubeconfig'), 'apiVersion: v1\nkind: Config\n');
    writeFileSync(
      join(fake.env.LAB_HOME!, 'state.json'),
      JSON.stringify({ schema: STATE_SCHEMA, cluster: { name: 'edge-to-mesh', id: 'c0ffee00-fixture', createdAt: '2026-12-01T10:00:00Z', config: defaultConfig }, labs: {} }),
    );
  }
  const guardObjects = () => loadState('before').objects.filter((o) => o.kind === 'Node' || o.kind === 'ConfigMap');

  it('a second run changes nothing: apply reports unchanged, nothing is restarted', async () => {
    const { fake, ctx } = contextFor({ persist: true, objects: guardObjects() });
    seedGuard(fake);
    const lab = findLab('03');
    const first = await runLab(ctx, lab, lab03, 'run');
    expect(first.ran).toEqual(['apply', 'wait']);
    expect(first.skipped).toEqual(['mesh']);
    const afterFirst = fake.scenario();
    const firstCalls = fake.calls().length;
    expect(afterFirst.objects!.map((o) => `${(o as K8sObject).kind}/${(o as K8sObject).metadata.name}`)).toContain('Deployment/frontend');

    const second = await runLab(ctx, lab, lab03, 'run');
    expect(second).toEqual({ ran: ['apply', 'wait'], skipped: ['mesh'] });
    const again = fake.calls().slice(firstCalls);
    expect(again.filter((c) => c.argv.includes('restart') || c.argv.includes('create') || c.argv.includes('delete'))).toEqual([]);
    expect(again.filter((c) => c.argv.includes('apply')).map((c) => c.argv.slice(4))).toEqual([['apply', '-f', join(repoRoot, 'manifests', 'app')]]);
    expect(fake.scenario().objects).toEqual(afterFirst.objects);

    for (const call of fake.calls().filter((c) => c.tool === 'kubectl')) {
      expect(call.argv.slice(0, 4)).toEqual(['--kubeconfig', join(fake.env.LAB_HOME!, 'kubeconfig'), '--context', 'kind-edge-to-mesh']);
    }
  });

  it('restarts the deployments when a pod started without a proxy, and only then', async () => {
    const s = loadState('after');
    const p = pod(s, 'backend-');
    p.spec.initContainers = [];
    p.status.initContainerStatuses = [];
    const { ctx } = contextFor(s);
    const mesh = lab03.steps.find((st) => st.id === 'mesh')!;
    expect(await mesh.satisfied!(ctx)).toBe(false);
    const actions = mesh.actions(ctx);
    expect(actions[0]).toMatchObject({ type: 'exec' });
    expect((actions[0] as { argv: string[] }).argv.slice(5)).toEqual(['rollout', 'restart', 'deployment/frontend', 'deployment/backend', '--namespace', 'app']);
    expect(actions.slice(1).map((a) => a.type)).toEqual(['wait', 'wait']);

    const { ctx: ok } = contextFor(loadState('after'));
    expect(await mesh.satisfied!(ok)).toBe('every pod of frontend and backend has a linkerd-proxy');
  });
});
