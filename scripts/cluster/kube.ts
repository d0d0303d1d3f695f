// argv builders for kubectl/helm/linkerd that always carry the lab kubeconfig and context, and JSON readers.
import type { Exec } from '../lib/exec.ts';
import { CommandError } from '../lib/exec.ts';

/** The part of a Kubernetes API object the checks read; the rest is kept as-is. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  spec?: any;
  status?: any;
  data?: Record<string, string>;
  [key: string]: unknown;
}

export interface Kube {
  readonly kubeconfig: string;
  readonly context: string;
  kubectl(...args: string[]): string[];
  helm(...args: string[]): string[];
  linkerd(...args: string[]): string[];
  /** `kubectl get <resource> [-n ns] -o json` → items (a List is flattened). */
  list(resource: string, options?: { namespace?: string; selector?: string; allNamespaces?: boolean }): Promise<K8sObject[]>;
  /** One object, or null when the API says NotFound. */
  get(resource: string, name: string, namespace?: string): Promise<K8sObject | null>;
  /** Runs a kubectl/helm/linkerd argv quietly and parses stdout as JSON. */
  json<T = unknown>(argv: string[], options?: { timeoutMs?: number }): Promise<T>;
}

export function createKube(exec: Exec, kubeconfig: string, context: string): Kube {
  const kubectl = (...args: string[]) => ['kubectl', '--kubeconfig', kubeconfig, '--context', context, ...args];
  const kube: Kube = {
    kubeconfig,
    context,
    kubectl,
    helm: (...args) => ['helm', '--kubeconfig', kubeconfig, '--kube-context', context, ...args],
    linkerd: (...args) => ['linkerd', '--kubeconfig', kubeconfig, '--context', context, ...args],
    async json<T>(argv: string[], options: { timeoutMs?: number } = {}) {
      const r = await exec.run(argv, { quiet: true, timeoutMs: options.timeoutMs ?? 30_000 });
      try {
        return JSON.parse(r.stdout) as T;
      } catch {
        throw new Error(`${argv[0]} printed output that is not JSON: ${r.stdout.slice(0, 200)}`);
      }
    },
    async list(resource, options = {}) {
      const args = ['get', resource];
      if (options.allNamespaces) args.push('--all-namespaces');
      else if (options.namespace) args.push('--namespace', options.namespace);
      if (options.selector) args.push('--selector', options.selector);
      args.push('--output', 'json');
      const out = await kube.json<{ items?: K8sObject[] } & Partial<K8sObject>>(kubectl(...args));
      return out.items ?? [];
    },
    async get(resource, name, namespace) {
      const args = ['get', resource, name];
      if (namespace) args.push('--namespace', namespace);
      args.push('--output', 'json');
      try {
        return await kube.json<K8sObject>(kubectl(...args));
      } catch (error) {
        if (error instanceof CommandError && /NotFound|not found/.test(error.stderr)) return null;
        throw error;
      }
    },
  };
  return kube;
}

/** Condition `type` of an object's status is "True". */
export function conditionTrue(obj: K8sObject | null | undefined, type: string): boolean {
  const conditions: Array<{ type: string; status: string }> = obj?.status?.conditions ?? [];
  return conditions.some((c) => c.type === type && c.status === 'True');
}
