#!/usr/bin/env node
// Fake kind/kubectl/helm/linkerd/docker for tests: records argv, replays a scenario's recorded output.
//
// Environment:
//   FAKE_LOG       JSONL file; one line per call: {tool, argv, stdin}
//   FAKE_SCENARIO  JSON file: {objects: [API objects], rules: [...], kindClusters: [...], persist: bool, urls: {url: local file}}
//                  rules: {tool, args: [subsequence of argv], stdout, stderr, exit, sleepMs, block, once}
//                  objects are what `kubectl get` serves, shaped exactly like the API's JSON.
//                  helmCharts {release: {chart, app_version, namespace, values}} is written by `helm upgrade --install`
//                  and read by `helm list -o json` / `helm get values`; `kubectl apply -f DIR` reads DIR's manifests.
import { appendFileSync, readFileSync, writeFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

const tool = process.argv[2];
const argv = process.argv.slice(3);
const scenarioPath = process.env.FAKE_SCENARIO;
const scenario = scenarioPath && existsSync(scenarioPath) ? JSON.parse(readFileSync(scenarioPath, 'utf8')) : {};
scenario.objects ??= [];
scenario.rules ??= [];

const GLOBAL_FLAGS = new Set(['--kubeconfig', '--context', '--kube-context', '--namespace', '-n']);

function readStdin() {
  if (process.stdin.isTTY) return '';
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}
const needsStdin = argv.includes('-') || (tool === 'kubectl' && argv.includes('apply') && argv.includes('-f') && argv[argv.indexOf('-f') + 1] === '-');
const stdin = needsStdin ? readStdin() : '';
if (process.env.FAKE_LOG) {
  mkdirSync(dirname(process.env.FAKE_LOG), { recursive: true });
  appendFileSync(process.env.FAKE_LOG, JSON.stringify({ tool, argv, ...(stdin ? { stdin: stdin.slice(0, 2000) } : {}) }) + '\n');
}

function save() {
  if (scenario.persist && scenarioPath) writeFileSync(scenarioPath, JSON.stringify(scenario, null, 2));
}
function out(stdout = '', stderr = '', code = 0) {
  if (stdout) process.stdout.write(stdout.endsWith('\n') ? stdout : stdout + '\n');
  if (stderr) process.stderr.write(stderr.endsWith('\n') ? stderr : stderr + '\n');
  process.exitCode = code;
}
function isSubsequence(needle, hay) {
  let i = 0;
  for (const h of hay) if (i < needle.length && h === needle[i]) i++;
  return i === needle.length;
}
function flag(names) {
  for (let i = 0; i < argv.length; i++) {
    for (const n of names) {
      if (argv[i] === n) return argv[i + 1];
      if (argv[i].startsWith(n + '=')) return argv[i].slice(n.length + 1);
    }
  }
  return undefined;
}
/** Positional args with global/value flags removed. */
function positionals() {
  const res = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('-')) {
      if (GLOBAL_FLAGS.has(a) || ['-o', '--output', '-l', '--selector', '-f', '--filename', '--name', '--timeout', '--for', '--format', '-c', '--container', '--image', '--config', '--wait', '--version', '--values', '-p', '--type', '--set', '--set-file', '--field-manager'].includes(a)) i++;
      continue;
    }
    res.push(a);
  }
  return res;
}

async function main() {
  const rule = scenario.rules.find((r) => (!r.tool || r.tool === tool) && isSubsequence(r.args ?? [], argv) && !r.used);
  if (rule) {
    if (rule.once) {
      rule.used = true;
      if (scenarioPath) writeFileSync(scenarioPath, JSON.stringify(scenario, null, 2));
    }
    if (rule.block) {
      process.on('SIGTERM', () => process.exit(143));
      process.on('SIGINT', () => process.exit(130));
      setInterval(() => {}, 1000);
      return;
    }
    if (rule.sleepMs) await new Promise((r) => setTimeout(r, rule.sleepMs));
    const stdout = typeof rule.stdout === 'string' ? rule.stdout : rule.stdout !== undefined ? JSON.stringify(rule.stdout) : '';
    return out(stdout, rule.stderr ?? '', rule.exit ?? 0);
  }
  switch (tool) {
    case 'kind':
      return kind();
    case 'kubectl':
      return kubectl();
    case 'helm':
      return helm();
    case 'linkerd':
      return linkerd();
    case 'docker':
      return docker();
  }
  out('', `fake ${tool}: no rule for ${argv.join(' ')}`, 1);
}

function kind() {
  const [verb, noun] = positionals();
  const name = flag(['--name']) ?? 'kind';
  scenario.kindClusters ??= [];
  if (verb === 'version') return out('kind v0.31.0 go1.25.5 linux/amd64');
  if (verb === 'get' && noun === 'clusters') return scenario.kindClusters.length ? out(scenario.kindClusters.join('\n')) : out('', 'No kind clusters found.');
  if (verb === 'create' && noun === 'cluster') {
    if (scenario.kindClusters.includes(name)) return out('', `ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"`, 1);
    const kubeconfig = flag(['--kubeconfig']) ?? process.env.KUBECONFIG ?? join(process.env.HOME ?? '/root', '.kube', 'config');
    if (kubeconfig) writeKubeconfig(kubeconfig, name);
    scenario.kindClusters.push(name);
    save();
    return out('', `Creating cluster "${name}" ...\n ✓ Ensuring node image (kindest/node:v1.35.0) 🖼\n ✓ Preparing nodes 📦\n ✓ Writing configuration 📜\n ✓ Starting control-plane 🕹️\n ✓ Installing CNI 🔌\n ✓ Installing StorageClass 💾\nSet kubectl context to "kind-${name}"`);
  }
  if (verb === 'delete' && noun === 'cluster') {
    scenario.kindClusters = scenario.kindClusters.filter((c) => c !== name);
    save();
    return out('', `Deleting cluster "${name}" ...\nDeleted nodes: ["${name}-control-plane"]`);
  }
  if (verb === 'export' && noun === 'kubeconfig') {
    if (!scenario.kindClusters.includes(name)) return out('', `ERROR: could not locate any control plane nodes for cluster named '${name}'`, 1);
    const kubeconfig = flag(['--kubeconfig']) ?? process.env.KUBECONFIG ?? join(process.env.HOME ?? '/root', '.kube', 'config');
    if (kubeconfig) writeKubeconfig(kubeconfig, name);
    return out('', `Set kubectl context to "kind-${name}"`);
  }
  if (verb === 'export' && noun === 'logs') return out('', `Exporting logs for cluster "${name}" to:\n${positionals()[2] ?? '/tmp/kind-logs'}`);
  if (verb === 'load') return out('', `Image loaded`);
  return out('', `fake kind: unsupported ${argv.join(' ')}`, 1);
}

function writeKubeconfig(path, name) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: ZmFrZQ==\n    server: https://127.0.0.1:6443\n  name: kind-${name}\ncontexts:\n- context:\n    cluster: kind-${name}\n    user: kind-${name}\n  name: kind-${name}\ncurrent-context: kind-${name}\npreferences: {}\nusers:\n- name: kind-${name}\n  user:\n    client-certificate-data: ZmFrZQ==\n    client-key-data: ZmFrZQ==\n`,
    { mode: 0o600 },
  );
}

const SHORT = { no: 'node', po: 'pod', deploy: 'deployment', svc: 'service', cm: 'configmap', ns: 'namespace', sa: 'serviceaccount', crd: 'customresourcedefinition', ds: 'daemonset', rs: 'replicaset', ep: 'endpoints' };
function kindMatches(resource, obj) {
  let r = resource.toLowerCase().split('.')[0];
  r = SHORT[r] ?? r;
  const k = obj.kind.toLowerCase();
  const group = resource.includes('.') ? resource.slice(resource.indexOf('.') + 1).toLowerCase() : undefined;
  if (group && !obj.apiVersion.toLowerCase().startsWith(group + '/')) return false;
  return r === k || r === k + 's' || r === k + 'es' || (k.endsWith('y') && r === k.slice(0, -1) + 'ies');
}
function selectorMatches(selector, obj) {
  if (!selector) return true;
  const labels = obj.metadata.labels ?? {};
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return v === undefined ? k in labels : labels[k] === v;
  });
}

function kubectl() {
  const pos = positionals();
  const verb = pos[0];
  const namespace = flag(['--namespace', '-n']);
  const all = argv.includes('-A') || argv.includes('--all-namespaces');
  if (verb === 'version') return out(JSON.stringify({ clientVersion: { major: '1', minor: '35', gitVersion: 'v1.35.0', platform: 'linux/amd64' } }));
  if (verb === 'get') {
    let [, resource, name] = pos;
    if (resource?.includes('/')) [resource, name] = resource.split('/');
    const selector = flag(['--selector', '-l']);
    const found = scenario.objects.filter(
      (o) =>
        kindMatches(resource, o) &&
        (all || !o.metadata.namespace || (o.metadata.namespace ?? 'default') === (namespace ?? 'default')) &&
        selectorMatches(selector, o),
    );
    if (name) {
      const one = found.find((o) => o.metadata.name === name);
      if (!one) return out('', `Error from server (NotFound): ${resource} "${name}" not found`, 1);
      return out(JSON.stringify(one, null, 2));
    }
    return out(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: found, metadata: { resourceVersion: '' } }, null, 2));
  }
  if (verb === 'apply' || verb === 'create') return apply();
  if (verb === 'wait') return out(`${pos[1] ?? 'resource'} condition met`);
  if (verb === 'rollout') return out(`deployment "${pos[2] ?? 'x'}" successfully rolled out`);
  if (verb === 'delete') return out(`${pos[1]} deleted`);
  if (verb === 'cluster-info') return out('Kubernetes control plane is running at https://127.0.0.1:6443');
  if (verb === 'label' || verb === 'annotate') return out(`${pos[1]} labeled`);
  return out('', `fake kubectl: unsupported ${argv.join(' ')}`, 1);
}

/** A file, or (like kubectl apply -f DIR) every .yaml/.yml/.json file directly in a directory, in name order. */
function readManifests(path) {
  if (!statSync(path).isDirectory()) return readFileSync(path, 'utf8');
  return readdirSync(path)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => readFileSync(join(path, f), 'utf8'))
    .join('\n---\n');
}

async function apply() {
  let file = flag(['-f', '--filename']);
  // scenario.urls maps a remote manifest URL to a local stand-in file, so `apply -f https://…` works offline.
  if (file && scenario.urls?.[file]) file = scenario.urls[file];
  let text = file === '-' ? stdin : file && existsSync(file) ? readManifests(file) : '';
  if (file && file !== '-' && !existsSync(file) && !/^https?:/.test(file)) return out('', `error: the path "${file}" does not exist`, 1);
  const { parseAllDocuments } = await import('yaml');
  const docs = text ? parseAllDocuments(text).map((d) => d.toJSON()).filter(Boolean) : [];
  const lines = [];
  for (const doc of docs) {
    const items = doc.kind === 'List' ? doc.items : [doc];
    for (const obj of items) {
      const ns = obj.metadata?.namespace ?? (flag(['--namespace', '-n']) || undefined);
      const existing = scenario.objects.findIndex((o) => o.kind === obj.kind && o.metadata.name === obj.metadata.name && (o.metadata.namespace ?? '') === (ns ?? ''));
      const group = obj.apiVersion.includes('/') ? '.' + obj.apiVersion.split('/')[0] : '';
      const ref = `${obj.kind.toLowerCase()}${group}/${obj.metadata.name}`;
      if (existing >= 0) {
        const same = JSON.stringify(scenario.objects[existing].spec ?? scenario.objects[existing].data) === JSON.stringify(obj.spec ?? obj.data);
        lines.push(`${ref} ${same ? 'unchanged' : 'configured'}`);
        if (!same && scenario.persist) scenario.objects[existing] = { ...scenario.objects[existing], ...obj, metadata: { ...obj.metadata, namespace: ns } };
      } else {
        lines.push(`${ref} created`);
        if (scenario.persist) scenario.objects.push({ ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } });
      }
    }
  }
  save();
  return out(lines.join('\n') || 'no objects passed to apply', '', lines.length ? 0 : 1);
}

async function helm() {
  const pos = positionals();
  if (pos[0] === 'version') return out('v3.19.5+g3d8990f');
  if (pos[0] === 'upgrade' || pos[0] === 'install') {
    const release = pos[1];
    scenario.helmReleases ??= {};
    const rev = (scenario.helmReleases[release] ?? 0) + 1;
    scenario.helmReleases[release] = rev;
    // What `helm list` / `helm get values` report later: chart-version and the user-supplied values.
    scenario.helmCharts ??= {};
    const chart = pos[2] ? basename(pos[2]) : release;
    const version = flag(['--version']);
    let values = null;
    const { parse: parseYaml } = await import('yaml');
    for (let i = 0; i < argv.length; i++) {
      if ((argv[i] === '--values' || argv[i] === '-f') && argv[i + 1] && existsSync(argv[i + 1])) values = { ...(values ?? {}), ...parseYaml(readFileSync(argv[i + 1], 'utf8')) };
    }
    scenario.helmCharts[release] = { chart: version ? `${chart}-${version}` : chart, ...(version ? { app_version: version } : {}), namespace: flag(['--namespace', '-n']) ?? 'default', values };
    save();
    return out(`Release "${release}" has been ${rev > 1 ? 'upgraded' : 'installed'}. Happy Helming!\nNAME: ${release}\nNAMESPACE: ${flag(['--namespace', '-n']) ?? 'default'}\nSTATUS: deployed\nREVISION: ${rev}`);
  }
  if (pos[0] === 'uninstall') return out(`release "${pos[1]}" uninstalled`);
  if (pos[0] === 'list') {
    const filter = flag(['--filter']);
    const releases = Object.entries(scenario.helmReleases ?? {})
      .filter(([name]) => !filter || new RegExp(filter).test(name))
      .map(([name, revision]) => {
        const known = scenario.helmCharts?.[name];
        return { name, ...(known ? { namespace: known.namespace } : {}), revision: String(revision), status: 'deployed', ...(known ? { chart: known.chart, app_version: known.app_version ?? '' } : {}) };
      });
    return out(JSON.stringify(releases));
  }
  if (pos[0] === 'get' && pos[1] === 'values') {
    if (!(scenario.helmReleases ?? {})[pos[2]]) return out('', 'Error: release: not found', 1);
    return out(JSON.stringify(scenario.helmCharts?.[pos[2]]?.values ?? null));
  }
  if (pos[0] === 'template') return out('---\n# fake helm template\n');
  return out('', `fake helm: unsupported ${argv.join(' ')}`, 1);
}

function linkerd() {
  const pos = positionals();
  if (pos[0] === 'version') return out('edge-26.6.3');
  if (pos[0] === 'check') return out(JSON.stringify({ success: true, categories: [] }));
  if (pos[0] === 'install') return out('---\n# fake linkerd install manifests\n');
  return out('', `fake linkerd: unsupported ${argv.join(' ')}`, 1);
}

function docker() {
  const pos = positionals();
  if (pos[0] === 'version' && argv.includes('--format')) return out('', 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?', 1);
  if (pos[0] === 'info') return out('', 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?', 1);
  return out('', `fake docker: unsupported ${argv.join(' ')}`, 1);
}

main().catch((error) => out('', `fake ${tool}: ${error.stack}`, 1));
