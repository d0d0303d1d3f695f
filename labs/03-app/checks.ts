// Lab 03 checks: both deployments available, every pod meshed under its own ServiceAccount, and mTLS identity seen end to end.
import { fail, pass, type Check, type CheckOutcome } from '../../checks/types.ts';
import type { LabContext } from '../../scripts/engine/types.ts';
import { APP_DEPLOYMENTS, APP_NAMESPACE } from './steps.ts';
import { deploymentProblem, livePods, meshIdentity, meshedOutcome } from './mesh.ts';

const BACKEND_HEADERS_URL = `http://backend.${APP_NAMESPACE}.svc.cluster.local:9898/headers`;
export const FRONTEND_IDENTITY = meshIdentity('frontend', APP_NAMESPACE);

/** The in-mesh call the behaviour check makes: curl from the frontend's podinfo container to the backend's /headers. */
export function frontendToBackendArgv(ctx: LabContext): string[] {
  return ctx.kube.kubectl('exec', 'deploy/frontend', '--namespace', APP_NAMESPACE, '-c', 'podinfo', '--', 'curl', '-sS', '--max-time', '5', BACKEND_HEADERS_URL);
}

/** podinfo's /headers is Go's http.Header as JSON: canonical keys ("L5d-Client-Id"), each with a list of values. */
function headerValues(headers: Record<string, unknown>, name: string): string[] | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) return undefined;
  const value = headers[key];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

async function meshIdentityOutcome(ctx: LabContext): Promise<CheckOutcome> {
  const r = await ctx.exec.run(frontendToBackendArgv(ctx), { quiet: true, reject: false, timeoutMs: 20_000 });
  if (r.exitCode !== 0) {
    const said = (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ');
    return fail(`the frontend could not call the backend at ${BACKEND_HEADERS_URL}: ${said || `exit code ${r.exitCode}`}`, r.stderr || undefined);
  }
  let headers: Record<string, unknown>;
  try {
    headers = JSON.parse(r.stdout) as Record<string, unknown>;
    if (!headers || typeof headers !== 'object' || Array.isArray(headers)) throw new Error('not an object');
  } catch {
    return fail(`the backend's /headers answer is not a JSON object: ${r.stdout.trim().slice(0, 120)}`);
  }
  const ids = headerValues(headers, 'l5d-client-id');
  if (!ids || ids.length === 0) {
    return fail(
      'the backend saw no l5d-client-id header: the call did not arrive over mesh mTLS, so one side has no linkerd-proxy',
      r.stdout.trim(),
    );
  }
  if (ids.length !== 1 || ids[0] !== FRONTEND_IDENTITY) {
    return fail(`the backend saw the caller as ${ids.join(', ')}, expected ${FRONTEND_IDENTITY}`, r.stdout.trim());
  }
  return pass(`backend saw l5d-client-id ${FRONTEND_IDENTITY}`);
}

export const checks: Check[] = [
  {
    id: 'app.deployments-available',
    title: 'deployments frontend and backend are available',
    lab: '03',
    level: 'config',
    hint: 'deployments-available',
    async run(ctx) {
      const problems: string[] = [];
      for (const name of APP_DEPLOYMENTS) {
        const problem = deploymentProblem(await ctx.kube.get('deployment', name, APP_NAMESPACE), name, APP_NAMESPACE);
        if (problem) problems.push(problem);
      }
      return problems.length ? fail(problems.join('; ')) : pass();
    },
  },
  {
    id: 'app.pods-meshed',
    title: 'every pod in namespace app has a ready linkerd-proxy',
    lab: '03',
    level: 'config',
    hint: 'pods-meshed',
    async run(ctx) {
      return meshedOutcome(await ctx.kube.list('pods', { namespace: APP_NAMESPACE }), `in namespace ${APP_NAMESPACE}`);
    },
  },
  {
    id: 'app.own-service-accounts',
    title: 'frontend and backend pods run as their own ServiceAccounts',
    lab: '03',
    level: 'config',
    hint: 'own-service-accounts',
    async run(ctx) {
      const pods = livePods(await ctx.kube.list('pods', { namespace: APP_NAMESPACE }));
      const problems: string[] = [];
      for (const name of APP_DEPLOYMENTS) {
        const mine = pods.filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === name);
        if (mine.length === 0) problems.push(`no ${name} pod in namespace ${APP_NAMESPACE}`);
        for (const pod of mine) {
          const sa: string = pod.spec?.serviceAccountName ?? 'default';
          if (sa !== name) problems.push(`pod ${pod.metadata.name} runs as service account ${sa}, not ${name}`);
        }
      }
      return problems.length ? fail(problems.join('; ')) : pass();
    },
  },
  {
    id: 'app.mesh-identity',
    title: 'the backend sees the frontend\'s mesh identity (l5d-client-id)',
    lab: '03',
    level: 'behaviour',
    hint: 'mesh-identity',
    // A fresh proxy needs a moment to get its certificate from linkerd-identity.
    deadlineMs: 30_000,
    run: meshIdentityOutcome,
  },
];
