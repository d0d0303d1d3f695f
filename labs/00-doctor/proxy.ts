// Does a configured HTTP proxy leave the lab's local addresses alone? NO_PROXY matching as curl and Go do it.
import { isIPv4 } from 'node:net';

export const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'] as const;

/** The proxy variables that are set (non-empty), by name. */
export function proxyVarsSet(env: NodeJS.ProcessEnv): string[] {
  return PROXY_VARS.filter((name) => (env[name] ?? '').trim() !== '');
}

/** NO_PROXY and no_proxy together: tools differ in which spelling they read. */
export function noProxyEntries(env: NodeJS.ProcessEnv): string[] {
  return [env.NO_PROXY, env.no_proxy]
    .flatMap((v) => (v ?? '').split(','))
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
}

function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!base || !isIPv4(base) || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipv4ToInt(base) & mask) === (ipv4ToInt(ip) & mask);
}

/**
 * True when one NO_PROXY entry exempts `host`. curl's manual: each name "is matched as either a domain which
 * contains the hostname, or the hostname itself"; a leading dot or "*." means subdomains; "*" means all;
 * IPv4 CIDR blocks (curl ≥ 7.86, Go) cover the addresses inside them. Ports in entries are ignored.
 */
export function exempts(entry: string, host: string): boolean {
  const h = host.toLowerCase();
  if (entry === '*') return true;
  if (entry.includes('/')) return isIPv4(h) && cidrContains(entry, h);
  const name = entry.replace(/^\*\./, '.').replace(/:\d+$/, '');
  if (name.startsWith('.')) return h.endsWith(name) || h === name.slice(1);
  return h === name || h.endsWith(`.${name}`);
}

/**
 * The hosts the lab talks to on this machine that a proxy must not see. The cluster's service and pod
 * ranges are not among them: kind v0.31.0 appends its ServiceSubnet and PodSubnet to the NO_PROXY it
 * passes into the node (pkg/cluster/internal/providers/common/proxy.go), and nothing on the host calls them.
 */
export function labLocalHosts(config: { listenAddress: string; appHost: string }): string[] {
  const address = config.listenAddress === '0.0.0.0' ? '127.0.0.1' : config.listenAddress;
  return [...new Set(['localhost', address, config.appHost])];
}

export function uncoveredHosts(env: NodeJS.ProcessEnv, hosts: string[]): string[] {
  const entries = noProxyEntries(env);
  return hosts.filter((host) => !entries.some((entry) => exempts(entry, host)));
}
