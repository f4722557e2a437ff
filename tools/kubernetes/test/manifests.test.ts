import test from 'ava';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IService } from 'kubernetes-models/v1/Service';
import { deployed, loadManifests, problems, type Deployed, type Manifests } from '../src/index.js';

const manifests = loadManifests();

test('deploy/kubernetes passes the Kubernetes schemas and every check', (t) => {
  t.deepEqual(problems(manifests), []);
});

type Change = (d: Deployed, m: Manifests) => void;

/** The problems of a copy of the manifests with one change made to it. */
function problemsAfter(change: Change): string[] {
  const copy = structuredClone(manifests);
  change(deployed(copy), copy);
  return problems(copy);
}

function env(d: Deployed, name: string): IEnvVar {
  const entry = d.container.env?.find((e) => e.name === name);
  if (entry === undefined) throw new Error(`the Deployment does not set ${name}`);
  return entry;
}

function service(d: Deployed, name: string): IService & { spec: NonNullable<IService['spec']> } {
  const found = d.services.find((s) => s.metadata?.name === name);
  if (found?.spec === undefined) throw new Error(`no Service ${name}`);
  return { ...found, spec: found.spec };
}

const secretData = (m: Manifests): Record<string, string> =>
  (m.secretExample as { stringData: Record<string, string> }).stringData;

// Each mistake the checks exist for, made once: proof that the test can fail, and on what.
const mistakes: [string, Change, RegExp][] = [
  [
    'a port written as a string',
    (d) => Object.assign(d.container.ports![0]!, { containerPort: '6001' }),
    /containerPort must be integer/,
  ],
  [
    'an unquoted boolean value',
    (d) => Object.assign(env(d, 'METRICS_ENABLED'), { value: true }),
    /value must be string/,
  ],
  [
    'a misspelt option',
    (d) => (env(d, 'CLUSTER_SEEDS').name = 'CLUSTER_SEDS'),
    /CLUSTER_SEDS is not a meshpush option/,
  ],
  ["soketi's prefix", (d) => (env(d, 'PORT').name = 'SOKETI_PORT'), /SOKETI_PORT is not a meshpush option/],
  ['a value meshpush refuses', (d) => (env(d, 'SHUTDOWN_GRACE_PERIOD').value = '10s'), /SHUTDOWN_GRACE_PERIOD=10s/],
  ['an option set twice', (d) => d.container.env!.push({ name: 'LOG_JSON', value: 'false' }), /LOG_JSON is set twice/],
  ['the local adapter', (d) => (env(d, 'ADAPTER_DRIVER').value = 'local'), /ADAPTER_DRIVER must be cluster/],
  ['seeds without a headless Service', (d) => delete service(d, 'meshpush-mesh').spec.clusterIP, /must be headless/],
  ['seeds naming the client Service', (d) => (env(d, 'CLUSTER_SEEDS').value = 'meshpush:11002'), /must be headless/],
  [
    'a headless Service that hides starting pods',
    (d) => (service(d, 'meshpush-mesh').spec.publishNotReadyAddresses = false),
    /publishNotReadyAddresses/,
  ],
  [
    'seeds on another port',
    (d) => (env(d, 'CLUSTER_SEEDS').value = 'meshpush-mesh:11003'),
    /port must be CLUSTER_PORT/,
  ],
  ['seeds naming no Service', (d) => (env(d, 'CLUSTER_SEEDS').value = 'meshpush-peers:11002'), /names no Service/],
  [
    'a loopback CLUSTER_HOST',
    (d) => Object.assign(env(d, 'CLUSTER_HOST'), { valueFrom: undefined, value: '127.0.0.1' }),
    /CLUSTER_HOST must be the pod IP/,
  ],
  [
    'a selector that misses the pods',
    (d) => (service(d, 'meshpush').spec.selector = { app: 'meshpush' }),
    /Service meshpush: selector/,
  ],
  ['a PORT no container port declares', (d) => (env(d, 'PORT').value = '6002'), /PORT=6002 .* is not a container port/],
  [
    'an extra container port',
    (d) => d.container.ports!.push({ name: 'debug', containerPort: 9229 }),
    /container port 9229/,
  ],
  [
    'the mesh port in the client Service',
    (d) => service(d, 'meshpush').spec.ports!.push({ name: 'mesh', port: 11002 }),
    /exposes port 11002/,
  ],
  ['metrics off', (d) => (env(d, 'METRICS_ENABLED').value = 'false'), /METRICS_ENABLED must be "true"/],
  [
    'a scrape annotation on the wrong port',
    (d) => (d.deployment.spec!.template.metadata!.annotations!['prometheus.io/port'] = '6001'),
    /prometheus\.io\/port must be 9601/,
  ],
  [
    'readiness on another path',
    (d) => (d.container.readinessProbe!.httpGet!.path = '/'),
    /readiness probe must be GET \/ready/,
  ],
  ['liveness on /ready', (d) => (d.container.livenessProbe!.httpGet!.path = '/ready'), /liveness probe/],
  [
    'a grace period shorter than the drain',
    (d) => (d.pod.terminationGracePeriodSeconds = 15),
    /terminationGracePeriodSeconds \(15\)/,
  ],
  ['no preStop sleep', (d) => delete d.container.lifecycle, /preStop sleep/],
  [
    'a Secret key the Secret lacks',
    (d) => (env(d, 'DEFAULT_APP_SECRET').valueFrom!.secretKeyRef!.key = 'secret'),
    /key secret is not in/,
  ],
  [
    'an optional Secret',
    (d) => (env(d, 'CLUSTER_SECRET').valueFrom!.secretKeyRef!.optional = true),
    /must not be optional/,
  ],
  [
    'a literal CLUSTER_SECRET',
    (d) => Object.assign(env(d, 'CLUSTER_SECRET'), { valueFrom: undefined, value: 'hunter2' }),
    /CLUSTER_SECRET must come from the Secret/,
  ],
  ['the well-known app secret', (_, m) => (secretData(m)['app-secret'] = 'app-secret'), /well-known app-secret/],
  [
    "another uid than the image's",
    (d) => (d.pod.securityContext!.runAsUser = 1000),
    /runAsUser must be the image's USER 10001/,
  ],
  [
    'an image with another USER',
    (_, m) => (m.containerfile = m.containerfile.replace('USER 10001:10001', 'USER 10002')),
    /USER 10002/,
  ],
  ['no memory limit', (d) => delete d.container.resources!.limits!['memory'], /resources\.limits\.memory/],
  ['an image of another version', (_, m) => (m.version = '9.9.9'), /image must be meshpush:9\.9\.9/],
  ['a manifest kustomize would skip', (_, m) => (m.baseFiles['ingress.yaml'] = []), /omits ingress\.yaml/],
  [
    'a mesh certificate outside the mounted Secret',
    (_, m) => {
      const patch = m.meshTls.patch as { spec: { template: { spec: { containers: { env: IEnvVar[] }[] } } } };
      patch.spec.template.spec.containers[0]!.env[0]!.value = '/etc/meshpush/tls.crt';
    },
    /CLUSTER_TLS_CERT=\/etc\/meshpush\/tls\.crt is not in a mounted Secret volume/,
  ],
];

for (const [mistake, change, expected] of mistakes) {
  test(`fails on ${mistake}`, (t) => {
    const found = problemsAfter(change);
    t.true(
      found.some((problem) => expected.test(problem)),
      `expected ${String(expected)} among:\n${found.join('\n')}`,
    );
  });
}
