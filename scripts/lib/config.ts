// The lab's settings (cluster name, host ports, hostnames), from defaults, environment and state.
import { UserError } from './errors.ts';

export interface LabConfig {
  clusterName: string;
  /** Address the kind node's port mappings listen on; the probes connect here. */
  listenAddress: string;
  httpPort: number;
  httpsPort: number;
  /** Hostname the ingress serves; *.localhost resolves to loopback without /etc/hosts edits. */
  appHost: string;
}

export const defaultConfig: LabConfig = {
  clusterName: 'edge-to-mesh',
  listenAddress: '127.0.0.1',
  httpPort: 80,
  httpsPort: 443,
  appHost: 'app.localhost',
};

function port(name: string, value: string | undefined, fallback: number, example: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new UserError(`${name}=${value} is not a TCP port`, `set ${name} to a number between 1 and 65535, e.g. ${name}=${example}`);
  }
  return n;
}

/** Environment overrides win over what the state file recorded, which wins over defaults. */
export function resolveConfig(recorded: Partial<LabConfig> | undefined, env: NodeJS.ProcessEnv = process.env): LabConfig {
  const base = { ...defaultConfig, ...recorded };
  const clusterName = env.LAB_CLUSTER_NAME || base.clusterName;
  if (!/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/.test(clusterName)) {
    throw new UserError(`LAB_CLUSTER_NAME="${clusterName}" is not a valid kind cluster name`, 'use lower-case letters, digits and dashes, like edge-to-mesh');
  }
  return {
    clusterName,
    listenAddress: env.LAB_LISTEN_ADDRESS || base.listenAddress,
    httpPort: port('LAB_HTTP_PORT', env.LAB_HTTP_PORT, base.httpPort, 8080),
    httpsPort: port('LAB_HTTPS_PORT', env.LAB_HTTPS_PORT, base.httpsPort, 8443),
    appHost: env.LAB_APP_HOST || base.appHost,
  };
}

/** kubectl context name kind writes for a cluster. */
export function kindContext(config: LabConfig): string {
  return `kind-${config.clusterName}`;
}
