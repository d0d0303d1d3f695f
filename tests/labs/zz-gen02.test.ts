// TEMPORARY generator for tests/fixtures/states/02-linkerd (deleted after use).
import { it } from 'vitest';
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, createLeaf } from '../../scripts/pki/x509.ts';
import * as x509 from '@peculiar/x509';
import { probeObjects, ANCHOR_ANNOTATION } from '../../labs/02-linkerd/probe.ts';
import { shortFingerprint } from '../../labs/02-linkerd/pki.ts';

const DIR = '/work/main/tests/fixtures/states/02-linkerd';
const T = new Date('2026-12-04T15:00:00Z');
const V = 'edge-26.6.3';

function hexBytes(buf: Buffer, perLine: number, indent: number, upper = false): string {
  let out = '';
  for (let i = 0; i < buf.length; i++) {
    if (i % perLine === 0) out += '\n' + ' '.repeat(indent);
    const h = buf[i]!.toString(16).padStart(2, '0');
    out += upper ? h.toUpperCase() : h;
    if (i !== buf.length - 1) out += ':';
  }
  return out;
}
const goTime = (d: Date) => {
  const M = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${M} ${d.getUTCDate()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()} UTC`;
};

/** certinfo.CertificateText for the leaf Linkerd's identity controller issues (KU DS+KE critical, EKU server+client, AKI, SAN). */
function certinfoText(leafPem: string, issuerPem: string, identity: string, notBefore: Date, notAfter: Date, serial: bigint): string {
  const leaf = new X509Certificate(leafPem);
  const jwk = createPublicKey(leaf.publicKey.export({ type: 'spki', format: 'pem' })).export({ format: 'jwk' }) as { x: string; y: string };
  const X = Buffer.from(jwk.x, 'base64url');
  const Y = Buffer.from(jwk.y, 'base64url');
  // Go prints big.Int bytes without leading zeros.
  const strip = (b: Buffer) => { let i = 0; while (i < b.length - 1 && b[i] === 0) i++; return b.subarray(i); };
  const ski = new x509.X509Certificate(issuerPem).getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
  const sig = Buffer.from(new x509.X509Certificate(leafPem).signature);
  let t = '';
  t += 'Certificate:\n';
  t += '    Data:\n';
  t += '        Version: 3 (0x2)\n';
  t += `        Serial Number: ${serial} (0x${serial.toString(16)})\n`;
  t += '    Signature Algorithm: ECDSA-SHA256\n';
  t += '        Issuer: CN=identity.linkerd.cluster.local\n';
  t += '        Validity\n';
  t += `            Not Before: ${goTime(notBefore)}\n`;
  t += `            Not After : ${goTime(notAfter)}\n`;
  t += '        Subject: ';
  t += '        Subject Public Key Info:\n            Public Key Algorithm: ECDSA\n';
  t += '                Public-Key: (256 bit)\n';
  t += `                X:${hexBytes(strip(X), 15, 20)}\n`;
  t += `                Y:${hexBytes(strip(Y), 15, 20)}\n`;
  t += '                Curve: P-256\n';
  t += '        X509v3 extensions:\n';
  t += '            X509v3 Key Usage: critical\n                Digital Signature, Key Encipherment\n';
  t += '            X509v3 Extended Key Usage:\n                TLS Web Server Authentication, TLS Web Client Authentication\n';
  t += `            X509v3 Authority Key Identifier:\n                keyid${Buffer.from(ski, 'hex').toString('hex').toUpperCase().match(/../g)!.map((h) => ':' + h).join('')}\n`;
  t += `            X509v3 Subject Alternative Name:\n                DNS:${identity}\n`;
  t += '\n';
  t += `    Signature Algorithm: ECDSA-SHA256${hexBytes(sig, 18, 9)}\n`;
  return t;
}

const helmAnn = (release: string, ns: string) => ({ 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': ns });

function deployment(name: string, ns: string, o: { labels: Record<string, string>; annotations?: Record<string, string>; containers: Array<{ name: string; image: string }>; init?: Array<{ name: string; image: string; restartPolicy?: string }>; available: boolean; uid: string; created: string; podAnnotations?: Record<string, string>; podLabels?: Record<string, string> }) {
  const selector = { 'linkerd.io/control-plane-component': o.labels['linkerd.io/control-plane-component'] ?? o.labels['component'] ?? name, 'linkerd.io/control-plane-ns': 'linkerd' };
  const sel = o.labels['linkerd.io/extension'] ? { 'linkerd.io/extension': 'viz', component: o.labels['component']! } : selector;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, uid: o.uid, generation: 1, resourceVersion: String(1000 + name.length * 37), creationTimestamp: o.created, labels: o.labels, annotations: { 'deployment.kubernetes.io/revision': '1', ...(o.annotations ?? {}) } },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: sel },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { ...sel, ...(o.podLabels ?? {}) }, annotations: o.podAnnotations ?? {} },
        spec: { ...(o.init ? { initContainers: o.init } : {}), containers: o.containers, nodeSelector: { 'kubernetes.io/os': 'linux' }, serviceAccountName: name },
      },
    },
    status: o.available
      ? {
          availableReplicas: 1, observedGeneration: 1, readyReplicas: 1, replicas: 1, updatedReplicas: 1,
          conditions: [
            { type: 'Available', status: 'True', lastTransitionTime: '2026-12-04T14:52:31Z', lastUpdateTime: '2026-12-04T14:52:31Z', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
            { type: 'Progressing', status: 'True', lastTransitionTime: '2026-12-04T14:51:50Z', lastUpdateTime: '2026-12-04T14:52:31Z', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}-7b9d5c6f48" has successfully progressed.` },
          ],
        }
      : {},
  };
}

it('generates', async () => {
  const anchor = await createCa({ commonName: 'root.linkerd.cluster.local', pathLength: 1, validDays: 3650, now: T });
  const issuer = await createCa({ commonName: 'identity.linkerd.cluster.local', pathLength: 0, validDays: 365, issuer: anchor, now: T });
  const identity = 'mesh-probe.mesh-probe.serviceaccount.identity.linkerd.cluster.local';
  const leaf = await createLeaf({ commonName: '', dnsNames: [identity], issuer, validDays: 1, serverAuth: true, clientAuth: true, now: T });
  mkdirSync(join(DIR, 'pki'), { recursive: true });
  writeFileSync(join(DIR, 'pki', 'linkerd-trust-anchor.crt'), anchor.certPem);
  writeFileSync(join(DIR, 'pki', 'linkerd-issuer.crt'), issuer.certPem);
  const leafNotBefore = new Date('2026-12-04T14:52:20Z');
  const leafNotAfter = new Date('2026-12-05T14:52:40Z');
  const identityText = `\nPOD mesh-probe-6d9c7b8f4-q7x2k (1 of 1)\n\n` + certinfoText(leaf.certPem, issuer.certPem, identity, leafNotBefore, leafNotAfter, 6148914691236517205n);

  const lab01 = JSON.parse(readFileSync('/work/main/tests/fixtures/states/01-cluster/after.json', 'utf8'));
  const trim = (pem: string) => pem.trim();
  const rootSha = createHash('sha256').update(anchor.certPem).digest('hex');
  const cp = (component: string) => ({
    'app.kubernetes.io/managed-by': 'Helm',
    'app.kubernetes.io/name': component,
    'app.kubernetes.io/part-of': 'Linkerd',
    'app.kubernetes.io/version': V,
    'linkerd.io/control-plane-component': component,
    'linkerd.io/control-plane-ns': 'linkerd',
  });
  const cpPodAnn = { 'linkerd.io/created-by': `linkerd/helm ${V}`, 'linkerd.io/proxy-version': V, 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true', 'linkerd.io/trust-root-sha256': rootSha };
  const proxyInit = [
    { name: 'linkerd-init', image: `cr.l5d.io/linkerd/proxy:${V}` },
    { name: 'linkerd-proxy', image: `cr.l5d.io/linkerd/proxy:${V}`, restartPolicy: 'Always' },
  ];
  const created = '2026-12-04T14:51:50Z';
  const linkerdNs = {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { name: 'linkerd', uid: '9b3e1f70-2c4d-4a8e-b6f1-7d0c5e2a9f13', resourceVersion: '951', creationTimestamp: '2026-12-04T14:51:31Z', labels: { 'kubernetes.io/metadata.name': 'linkerd', 'linkerd.io/is-control-plane': 'true', 'config.linkerd.io/admission-webhooks': 'disabled', 'linkerd.io/control-plane-ns': 'linkerd', 'pod-security.kubernetes.io/enforce': 'privileged' }, annotations: { 'linkerd.io/inject': 'disabled' } },
    spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
  };
  const objects: unknown[] = [
    ...lab01.objects,
    linkerdNs,
    deployment('linkerd-identity', 'linkerd', { labels: cp('identity'), annotations: { ...helmAnn('linkerd-control-plane', 'linkerd'), 'linkerd.io/created-by': `linkerd/helm ${V}` }, podAnnotations: cpPodAnn, init: proxyInit, containers: [{ name: 'identity', image: `cr.l5d.io/linkerd/controller:${V}` }], available: true, uid: '1d5f8a2c-7e3b-4c91-a0d6-5b2e9f4c8a17', created }),
    deployment('linkerd-destination', 'linkerd', { labels: cp('destination'), annotations: { ...helmAnn('linkerd-control-plane', 'linkerd'), 'linkerd.io/created-by': `linkerd/helm ${V}` }, podAnnotations: cpPodAnn, init: proxyInit, containers: [{ name: 'destination', image: `cr.l5d.io/linkerd/controller:${V}` }, { name: 'sp-validator', image: `cr.l5d.io/linkerd/controller:${V}` }, { name: 'policy', image: `cr.l5d.io/linkerd/policy-controller:${V}` }], available: true, uid: '6a0c3e9b-4f12-4d7a-8b5e-2c9f1a7d3e60', created }),
    deployment('linkerd-proxy-injector', 'linkerd', { labels: cp('proxy-injector'), annotations: { ...helmAnn('linkerd-control-plane', 'linkerd'), 'linkerd.io/created-by': `linkerd/helm ${V}` }, podAnnotations: cpPodAnn, init: proxyInit, containers: [{ name: 'proxy-injector', image: `cr.l5d.io/linkerd/controller:${V}` }], available: true, uid: 'c4e7a1d9-0b3f-4e62-9d8c-7f5a2b1e6c04', created }),
    {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 'linkerd-identity-trust-roots', namespace: 'linkerd', uid: '2f8b6d1e-5a9c-4b73-8e0d-4c1a7f3b9e52', resourceVersion: '973', creationTimestamp: created, labels: { 'app.kubernetes.io/managed-by': 'Helm', 'linkerd.io/control-plane-component': 'identity', 'linkerd.io/control-plane-ns': 'linkerd' }, annotations: { ...helmAnn('linkerd-control-plane', 'linkerd'), 'linkerd.io/created-by': `linkerd/helm ${V}` } },
      data: { 'ca-bundle.crt': trim(anchor.certPem) },
    },
    {
      apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
      metadata: { name: 'linkerd-identity-issuer', namespace: 'linkerd', uid: '8d1c4f7a-3e6b-4a09-b2d5-9e8f0c6a1b34', resourceVersion: '972', creationTimestamp: created, labels: { 'app.kubernetes.io/managed-by': 'Helm', 'linkerd.io/control-plane-component': 'identity', 'linkerd.io/control-plane-ns': 'linkerd' }, annotations: { ...helmAnn('linkerd-control-plane', 'linkerd'), 'linkerd.io/created-by': `linkerd/helm ${V}` } },
      // The chart stores crt.pem and key.pem; this recording replaces the private key with a placeholder.
      data: { 'crt.pem': Buffer.from(trim(issuer.certPem)).toString('base64'), 'key.pem': Buffer.from('-----BEGIN EC PRIVATE KEY-----\nnot recorded: fixtures carry no private keys\n-----END EC PRIVATE KEY-----').toString('base64') },
    },
  ];
  const vizLabels = (component: string) => ({ 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/name': component, 'app.kubernetes.io/part-of': 'Linkerd', 'app.kubernetes.io/version': V, component, 'linkerd.io/extension': 'viz', namespace: 'linkerd-viz' });
  const vizImages: Record<string, string> = { 'metrics-api': `cr.l5d.io/linkerd/metrics-api:${V}`, prometheus: 'prom/prometheus:v2.55.1', tap: `cr.l5d.io/linkerd/tap:${V}`, 'tap-injector': `cr.l5d.io/linkerd/tap:${V}`, web: `cr.l5d.io/linkerd/web:${V}` };
  const vizUids = ['3c7e0a5f-9d21-4b86-a4e3-1f6b8c2d7e09', '5e9a2c7d-1b4f-4e38-9c60-8d3f7a1e5b22', '7a1d4e8b-6c3f-4d95-b2a0-3e7c9f5d1a48', '0f6b3d9e-8a2c-4f71-95d4-6c1e7b3a8f05', 'e2c8f5a1-4d7b-4390-8e6a-b1f9d3c7a264'];
  Object.entries(vizImages).forEach(([name, image], i) =>
    objects.push(deployment(name, 'linkerd-viz', { labels: vizLabels(name), annotations: { ...helmAnn('linkerd-viz', 'linkerd-viz'), 'linkerd.io/created-by': `linkerd/helm ${V}` }, podAnnotations: { 'linkerd.io/inject': 'enabled' }, containers: [{ name, image }], available: true, uid: vizUids[i]!, created: '2026-12-04T14:53:12Z' })),
  );

  // The probe as lab 02 applies it, plus what the API server and the injector added.
  const [ns, sa, probeDeploy] = probeObjects(shortFingerprint(anchor.certPem)) as any[];
  objects.push(
    { ...ns, metadata: { ...ns.metadata, uid: 'a8f2c6e1-7d3b-4b95-80c4-2e6d9a1f7b53', resourceVersion: '1411', creationTimestamp: '2026-12-04T14:54:02Z', labels: { ...ns.metadata.labels, 'kubernetes.io/metadata.name': 'mesh-probe' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
    { ...sa, metadata: { ...sa.metadata, uid: 'd3b7e9a2-1c5f-4e80-b6d4-8a2c0f9e7b16', resourceVersion: '1412', creationTimestamp: '2026-12-04T14:54:02Z' } },
    {
      ...probeDeploy,
      metadata: { ...probeDeploy.metadata, uid: 'f1a9d4c7-2e6b-4d38-a5f0-9c3e7b1d8a25', generation: 1, resourceVersion: '1468', creationTimestamp: '2026-12-04T14:54:02Z', annotations: { 'deployment.kubernetes.io/revision': '1' } },
      spec: { ...probeDeploy.spec, progressDeadlineSeconds: 600, revisionHistoryLimit: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } },
      status: {
        availableReplicas: 1, observedGeneration: 1, readyReplicas: 1, replicas: 1, updatedReplicas: 1,
        conditions: [
          { type: 'Available', status: 'True', lastTransitionTime: '2026-12-04T14:54:21Z', lastUpdateTime: '2026-12-04T14:54:21Z', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
          { type: 'Progressing', status: 'True', lastTransitionTime: '2026-12-04T14:54:02Z', lastUpdateTime: '2026-12-04T14:54:21Z', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "mesh-probe-6d9c7b8f4" has successfully progressed.' },
        ],
      },
    },
  );
  const env = (name: string, value: string) => ({ name, value });
  const field = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'mesh-probe-6d9c7b8f4-q7x2k',
      generateName: 'mesh-probe-6d9c7b8f4-',
      namespace: 'mesh-probe',
      uid: '4e8c1a7f-3d9b-4f26-b0e5-7a2d6c9f1e83',
      resourceVersion: '1466',
      creationTimestamp: '2026-12-04T14:54:02Z',
      labels: {
        'app.kubernetes.io/name': 'mesh-probe', 'app.kubernetes.io/part-of': 'edge-to-mesh', 'linkerd.io/control-plane-ns': 'linkerd',
        'linkerd.io/proxy-deployment': 'mesh-probe', 'linkerd.io/workload-ns': 'mesh-probe', 'pod-template-hash': '6d9c7b8f4',
      },
      annotations: {
        [ANCHOR_ANNOTATION]: shortFingerprint(anchor.certPem),
        'linkerd.io/created-by': `linkerd/proxy-injector ${V}`,
        'linkerd.io/inject': 'enabled',
        'linkerd.io/proxy-version': V,
        'linkerd.io/trust-root-sha256': rootSha,
      },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'mesh-probe-6d9c7b8f4', uid: '0b6e2d9a-5c1f-4a73-8e4d-f7a3c9b1e560', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      serviceAccountName: 'mesh-probe',
      serviceAccount: 'mesh-probe',
      nodeName: 'edge-to-mesh-control-plane',
      restartPolicy: 'Always',
      initContainers: [
        {
          name: 'linkerd-init',
          image: `cr.l5d.io/linkerd/proxy:${V}`,
          command: ['/usr/lib/linkerd/linkerd2-proxy-init'],
          args: ['--firewall-bin-path', 'iptables-nft', '--firewall-save-bin-path', 'iptables-nft-save', '--ipv6=false', '--incoming-proxy-port', '4143', '--outgoing-proxy-port', '4140', '--proxy-uid', '2102', '--inbound-ports-to-ignore', '4190,4191,4567,4568', '--outbound-ports-to-ignore', '4567,4568'],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'] }, privileged: false, readOnlyRootFilesystem: true, runAsGroup: 65534, runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
        },
        {
          name: 'linkerd-proxy',
          image: `cr.l5d.io/linkerd/proxy:${V}`,
          restartPolicy: 'Always',
          env: [
            field('_pod_name', 'metadata.name'), field('_pod_ns', 'metadata.namespace'), field('_pod_nodeName', 'spec.nodeName'),
            env('LINKERD2_PROXY_LOG', 'warn,linkerd=info,hickory=error,[{headers}]=off,[{request}]=off'),
            env('LINKERD2_PROXY_DESTINATION_SVC_ADDR', 'linkerd-dst-headless.linkerd.svc.cluster.local.:8086'),
            env('LINKERD2_PROXY_POLICY_SVC_ADDR', 'linkerd-policy.linkerd.svc.cluster.local.:8090'),
            env('LINKERD2_PROXY_ADMIN_LISTEN_ADDR', '0.0.0.0:4191'),
            env('LINKERD2_PROXY_INBOUND_LISTEN_ADDR', '0.0.0.0:4143'),
            env('LINKERD2_PROXY_OUTBOUND_LISTEN_ADDR', '127.0.0.1:4140'),
            field('_pod_sa', 'spec.serviceAccountName'),
            env('_l5d_ns', 'linkerd'), env('_l5d_trustdomain', 'cluster.local'),
            env('LINKERD2_PROXY_IDENTITY_DIR', '/var/run/linkerd/identity/end-entity'),
            env('LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS', anchor.certPem),
            env('LINKERD2_PROXY_IDENTITY_TOKEN_FILE', '/var/run/secrets/tokens/linkerd-identity-token'),
            env('LINKERD2_PROXY_IDENTITY_SVC_ADDR', 'linkerd-identity-headless.linkerd.svc.cluster.local.:8080'),
            env('LINKERD2_PROXY_IDENTITY_LOCAL_NAME', '$(_pod_sa).$(_pod_ns).serviceaccount.identity.linkerd.cluster.local'),
            env('LINKERD2_PROXY_IDENTITY_SVC_NAME', 'linkerd-identity.linkerd.serviceaccount.identity.linkerd.cluster.local'),
            env('LINKERD2_PROXY_DESTINATION_SVC_NAME', 'linkerd-destination.linkerd.serviceaccount.identity.linkerd.cluster.local'),
            env('LINKERD2_PROXY_POLICY_SVC_NAME', 'linkerd-destination.linkerd.serviceaccount.identity.linkerd.cluster.local'),
          ],
          ports: [{ containerPort: 4143, name: 'linkerd-proxy', protocol: 'TCP' }, { containerPort: 4191, name: 'linkerd-admin', protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/ready', port: 4191, scheme: 'HTTP' }, initialDelaySeconds: 2, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
          livenessProbe: { httpGet: { path: '/live', port: 4191, scheme: 'HTTP' }, initialDelaySeconds: 10, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
          startupProbe: { httpGet: { path: '/ready', port: 4191, scheme: 'HTTP' }, initialDelaySeconds: 0, periodSeconds: 1, failureThreshold: 120, timeoutSeconds: 1, successThreshold: 1 },
          resources: { limits: { memory: '250Mi' }, requests: { cpu: '10m', memory: '20Mi' } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 2102, seccompProfile: { type: 'RuntimeDefault' } },
          volumeMounts: [{ mountPath: '/var/run/linkerd/identity/end-entity', name: 'linkerd-identity-end-entity' }, { mountPath: '/var/run/secrets/tokens', name: 'linkerd-identity-token' }],
        },
      ],
      containers: [
        {
          name: 'podinfo',
          image: 'ghcr.io/stefanprodan/podinfo:6.14.1',
          ports: [{ containerPort: 9898, name: 'http', protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/readyz', port: 9898, scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
          resources: { limits: { memory: '64Mi' }, requests: { cpu: '10m', memory: '16Mi' } },
        },
      ],
      volumes: [
        { name: 'linkerd-proxy-init-xtables-lock', emptyDir: {} },
        { name: 'linkerd-identity-end-entity', emptyDir: { medium: 'Memory' } },
        { name: 'linkerd-identity-token', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { audience: 'identity.l5d.io', expirationSeconds: 86400, path: 'linkerd-identity-token' } }] } },
      ],
    },
    status: {
      phase: 'Running',
      hostIP: '172.18.0.2',
      podIP: '10.244.0.21',
      podIPs: [{ ip: '10.244.0.21' }],
      qosClass: 'Burstable',
      startTime: '2026-12-04T14:54:02Z',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: '2026-12-04T14:54:04Z' },
        { type: 'Initialized', status: 'True', lastTransitionTime: '2026-12-04T14:54:12Z' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2026-12-04T14:54:21Z' },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: '2026-12-04T14:54:21Z' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-12-04T14:54:02Z' },
      ],
      initContainerStatuses: [
        { name: 'linkerd-init', image: `cr.l5d.io/linkerd/proxy:${V}`, imageID: 'cr.l5d.io/linkerd/proxy@sha256:7f3c0b6d9e2a4c81f5b7d3e9a1c6f0b8d2e4a7c9f1b3d5e7a9c2f4b6d8e0a1c3', containerID: 'containerd://51c2a8e0f7d94b3a6e1c9f2d8b7a4e0c3f6d9b2a5e8c1f4d7b0a3e6c9f2d5b8a', ready: true, restartCount: 0, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: '2026-12-04T14:54:03Z', finishedAt: '2026-12-04T14:54:03Z', containerID: 'containerd://51c2a8e0f7d94b3a6e1c9f2d8b7a4e0c3f6d9b2a5e8c1f4d7b0a3e6c9f2d5b8a' } }, lastState: {} },
        { name: 'linkerd-proxy', image: `cr.l5d.io/linkerd/proxy:${V}`, imageID: 'cr.l5d.io/linkerd/proxy@sha256:7f3c0b6d9e2a4c81f5b7d3e9a1c6f0b8d2e4a7c9f1b3d5e7a9c2f4b6d8e0a1c3', containerID: 'containerd://a7e3c9f1b5d2846e0c8a4f7d1b3e9c6a2f5d8b0e4c7a1f3d9b6e2c5a8f0d4b71', ready: true, restartCount: 0, started: true, state: { running: { startedAt: '2026-12-04T14:54:04Z' } }, lastState: {} },
      ],
      containerStatuses: [
        { name: 'podinfo', image: 'ghcr.io/stefanprodan/podinfo:6.14.1', imageID: 'ghcr.io/stefanprodan/podinfo@sha256:2b8e4d1f7c3a9e6b0d5f8c2a4e7b1d9f3c6a0e8b5d2f7c4a1e9b6d3f0c8a5e27', containerID: 'containerd://c3f8a1d6e9b2475c0a3e8d1f6b9c4a7e2d5f0b8c3a6e9d1f4b7c0a5e8d2f6b93', ready: true, restartCount: 0, started: true, state: { running: { startedAt: '2026-12-04T14:54:13Z' } }, lastState: {} },
      ],
    },
  };
  objects.push(pod);

  const ok = (description: string) => ({ description, result: 'success' });
  const cat = (categoryName: string, checks: unknown[]) => ({ categoryName, checks });
  const upToDate = (description: string, anchorName: string) => ({ description, hint: `https://linkerd.io/2/checks/#${anchorName}`, error: 'is running version 26.6.3 but the latest edge version is 26.11.5', result: 'warning' });
  const core = {
    success: true,
    categories: [
      cat('kubernetes-api', [ok('can initialize the client'), ok('can query the Kubernetes API')]),
      cat('kubernetes-version', [ok('is running the minimum Kubernetes API version')]),
      cat('linkerd-version', [ok('can determine the latest version'), upToDate('cli is up-to-date', 'l5d-version-cli')]),
      cat('linkerd-config', ['control plane Namespace exists', 'control plane ClusterRoles exist', 'control plane ClusterRoleBindings exist', 'control plane ServiceAccounts exist', 'control plane CustomResourceDefinitions exist', 'control plane MutatingWebhookConfigurations exist', 'control plane ValidatingWebhookConfigurations exist', 'proxy-init container runs as root user if docker container runtime is used'].map(ok)),
      cat('linkerd-existence', ["'linkerd-config' config map exists", 'heartbeat ServiceAccount exist', 'control plane replica sets are ready', 'no unschedulable pods', 'control plane pods are ready', 'cluster networks contains all node podCIDRs', 'cluster networks contains all pods', 'cluster networks contains all services'].map(ok)),
      cat('linkerd-identity', ['certificate config is valid', 'trust anchors are using supported crypto algorithm', 'trust anchors are within their validity period', 'trust anchors are valid for at least 60 days', 'issuer cert is using supported crypto algorithm', 'issuer cert is within its validity period', 'issuer cert is valid for at least 60 days', 'issuer cert is issued by the trust anchor'].map(ok)),
      cat('linkerd-webhooks-and-apisvc-tls', ['proxy-injector webhook has valid cert', 'proxy-injector cert is valid for at least 60 days', 'sp-validator webhook has valid cert', 'sp-validator cert is valid for at least 60 days', 'policy-validator webhook has valid cert', 'policy-validator cert is valid for at least 60 days'].map(ok)),
      cat('linkerd-control-plane-proxy', [ok('control plane proxies are healthy'), upToDate('control plane proxies are up-to-date', 'l5d-cp-proxy-version'), ok('control plane proxies and cli versions match')]),
      cat('control-plane-version', [ok('can retrieve the control plane version'), upToDate('control plane is up-to-date', 'l5d-version-control'), ok('control plane and cli versions match')]),
      cat('linkerd-extension-checks', [ok('namespace configuration for extensions')]),
    ],
  };
  const vizDoc = {
    success: true,
    categories: [
      cat('linkerd-viz', [
        ok('linkerd-viz Namespace exists'), ok('can initialize the client'), ok('linkerd-viz ClusterRoles exist'), ok('linkerd-viz ClusterRoleBindings exist'),
        ok('tap API server has valid cert'), ok('tap API server cert is valid for at least 60 days'), ok('tap API service is running'),
        ok('linkerd-viz pods are injected'), ok('viz extension pods are running'), ok('viz extension proxies are healthy'),
        upToDate('viz extension proxies are up-to-date', 'l5d-viz-proxy-cp-version'), ok('viz extension proxies and cli versions match'),
        ok('prometheus is installed and configured correctly'), ok('viz extension self-check'),
      ]),
    ],
  };
  // Go's json.MarshalIndent with two spaces; core and extension documents follow each other on stdout.
  const checkStdout = JSON.stringify(core, null, 2) + '\n' + JSON.stringify(vizDoc, null, 2) + '\n';
  const after = {
    kindClusters: ['edge-to-mesh'],
    helmReleases: { 'linkerd-crds': 1, 'linkerd-control-plane': 1, 'linkerd-viz': 1 },
    objects,
    rules: [
      ...lab01.rules,
      { tool: 'linkerd', args: ['check', '--output', 'json'], stdout: checkStdout },
      { tool: 'linkerd', args: ['identity', '--namespace', 'mesh-probe', 'mesh-probe-6d9c7b8f4-q7x2k'], stdout: identityText },
    ],
  };
  const beforeCheck = {
    success: false,
    categories: [
      cat('kubernetes-api', [ok('can initialize the client'), ok('can query the Kubernetes API')]),
      cat('kubernetes-version', [ok('is running the minimum Kubernetes API version')]),
      cat('linkerd-version', [ok('can determine the latest version'), upToDate('cli is up-to-date', 'l5d-version-cli')]),
      cat('linkerd-config', [{ description: 'control plane Namespace exists', hint: 'https://linkerd.io/2/checks/#l5d-existence-ns', error: 'The "linkerd" namespace does not exist', result: 'error' }]),
    ],
  };
  const before = {
    kindClusters: ['edge-to-mesh'],
    objects: lab01.objects,
    rules: [...lab01.rules, { tool: 'linkerd', args: ['check', '--output', 'json'], stdout: JSON.stringify(beforeCheck, null, 2) + '\n', exit: 1 }],
  };
  writeFileSync(join(DIR, 'after.json'), JSON.stringify(after, null, 2) + '\n');
  writeFileSync(join(DIR, 'before.json'), JSON.stringify(before, null, 2) + '\n');
});
