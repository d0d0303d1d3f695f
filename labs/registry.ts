// The lab registry: one data table from which the menu, plan, help and argument checks derive.
import type { LabDefinition } from '../scripts/engine/types.ts';
import { UserError } from '../scripts/lib/errors.ts';

export const labs: readonly LabDefinition[] = [
  {
    id: '00',
    slug: 'doctor',
    title: 'Doctor: is this machine ready?',
    summary: 'Docker, memory, free ports, proxies, disk and tools, each with how to fix it.',
    dependsOn: [],
    dir: 'labs/00-doctor',
    load: () => import('./00-doctor/lab.ts'),
  },
  {
    id: '01',
    slug: 'cluster',
    title: 'A kind cluster of your own',
    summary: 'Create the kind cluster with ingress ports and a private kubeconfig, and prove it is the lab\'s.',
    dependsOn: ['00'],
    dir: 'labs/01-cluster',
    load: () => import('./01-cluster/lab.ts'),
  },
  {
    id: '02',
    slug: 'linkerd',
    title: 'Linkerd with identity certificates you make',
    summary: 'Make a trust anchor and issuer, install Gateway API CRDs, Linkerd and linkerd-viz.',
    dependsOn: ['01'],
    checkTools: ['linkerd'],
    dir: 'labs/02-linkerd',
    load: () => import('./02-linkerd/lab.ts'),
  },
  {
    id: '03',
    slug: 'app',
    title: 'A meshed sample app',
    summary: 'podinfo frontend calling a backend in the mesh, each with its own identity.',
    dependsOn: ['02'],
    dir: 'labs/03-app',
    load: () => import('./03-app/lab.ts'),
  },
  {
    id: '04',
    slug: 'ingress-tls',
    title: 'Emissary-ingress terminating TLS from your lab CA',
    summary: 'A meshed Emissary-ingress serving https://app.localhost with a certificate from the lab CA.',
    dependsOn: ['03'],
    dir: 'labs/04-ingress-tls',
    load: () => import('./04-ingress-tls/lab.ts'),
  },
];

/** Accepts "01", "1", "cluster" or "01-cluster"; anything else is a UserError listing the valid ids. */
export function findLab(arg: string): LabDefinition {
  const a = arg.trim().toLowerCase();
  const lab = labs.find((l) => l.id === a || l.id === a.padStart(2, '0') || l.slug === a || `${l.id}-${l.slug}` === a);
  if (!lab) {
    throw new UserError(
      `unknown lab "${arg}"`,
      `valid labs: ${labs.map((l) => `${l.id} (${l.slug})`).join(', ')}`,
    );
  }
  return lab;
}

/** Labs before `lab` in dependency order (the registry is ordered). */
export function labsBefore(lab: LabDefinition): LabDefinition[] {
  return labs.slice(0, labs.indexOf(lab)).filter((l) => l.id !== '00');
}

/** Hint URL for a check: the lab text's paragraph that explains the fix. */
export function hintUrl(labId: string, anchor: string): string {
  const lab = labs.find((l) => l.id === labId);
  return `${lab ? lab.dir : `labs/${labId}`}/README.md#${anchor}`;
}
