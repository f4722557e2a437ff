import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { Manifests } from '../load.js';
import type { Deployed } from '../objects.js';
import { envProblems } from './env.js';

/** `kubectl apply -k base` installs every manifest of base/, and never the example Secret. */
export function kustomizationProblems(manifests: Manifests): string[] {
  const listed = (manifests.kustomization as { resources?: unknown } | null)?.resources;
  const files = Object.keys(manifests.baseFiles);
  if (!Array.isArray(listed)) return ['base/kustomization.yaml has no resources list'];
  const problems = files
    .filter((file) => !listed.includes(file))
    .map((file) => `base/kustomization.yaml omits ${file}`);
  for (const resource of listed) {
    if (!files.includes(String(resource)))
      problems.push(`base/kustomization.yaml lists ${String(resource)}, not in base/`);
  }
  return problems;
}

/**
 * The mesh-tls overlay: it builds on base/, its patch reaches the Deployment's container by name,
 * sets known options, and every certificate path lies in a mount of a Secret volume.
 */
export function meshTlsProblems(manifests: Manifests, d: Deployed): string[] {
  const { kustomization, patch } = manifests.meshTls as { kustomization: MeshTlsKustomization; patch: IDeployment };
  const problems: string[] = [];
  if (!(kustomization.resources ?? []).includes('../base')) {
    problems.push('mesh-tls/kustomization.yaml must build on ../base');
  }
  if (!(kustomization.patches ?? []).some((p) => p.path === 'deployment-patch.yaml')) {
    problems.push('mesh-tls/kustomization.yaml must apply deployment-patch.yaml');
  }
  return [...problems, ...patchProblems(patch, d)];
}

function patchProblems(patch: IDeployment, d: Deployed): string[] {
  const spec = patch.spec?.template.spec;
  const container = spec?.containers[0];
  const target = `Deployment ${d.deployment.metadata?.name}, container ${d.container.name}`;
  if (patch.kind !== 'Deployment' || patch.metadata?.name !== d.deployment.metadata?.name) {
    return [`mesh-tls patch must target ${target}`];
  }
  if (spec === undefined || container?.name !== d.container.name) return [`mesh-tls patch must target ${target}`];
  const problems = envProblems(container.env ?? [], d.secret, 'mesh-tls patch');
  for (const entry of container.env ?? []) {
    const mount = container.volumeMounts?.find((m) => entry.value?.startsWith(`${m.mountPath}/`));
    const volume = spec.volumes?.find((v) => v.name === mount?.name);
    if (volume?.secret?.secretName === undefined) {
      problems.push(`mesh-tls patch: ${entry.name}=${entry.value} is not in a mounted Secret volume`);
    }
  }
  return problems;
}

interface MeshTlsKustomization {
  resources?: string[];
  patches?: { path?: string }[];
}
