import {
  clientServiceProblems,
  metricsProblems,
  portProblems,
  probeProblems,
  selectorProblems,
} from './checks/network.js';
import { envProblems } from './checks/env.js';
import { kustomizationProblems, meshTlsProblems } from './checks/layout.js';
import { meshProblems } from './checks/mesh.js';
import { containerProblems, drainProblems, secretProblems, securityProblems } from './checks/pod.js';
import type { Manifests } from './load.js';
import { baseObjects, deployed, ManifestError } from './objects.js';
import { schemaProblems } from './schema.js';

export { loadManifests, type Manifests } from './load.js';
export { deployed, type Deployed } from './objects.js';

/** Everything wrong with the manifests, one line each; `[]` when they are fine. */
export function problems(manifests: Manifests): string[] {
  // The other checks read the objects through the schemas' types: only valid objects may reach them.
  const invalid = [...baseObjects(manifests), manifests.secretExample].flatMap(schemaProblems);
  if (invalid.length > 0) return invalid;
  let d;
  try {
    d = deployed(manifests);
  } catch (error) {
    if (error instanceof ManifestError) return [error.message];
    throw error;
  }
  return [
    ...kustomizationProblems(manifests),
    ...envProblems(d.container.env ?? [], d.secret, 'Deployment'),
    ...meshProblems(d),
    ...portProblems(d, manifests.containerfile),
    ...selectorProblems(d),
    ...clientServiceProblems(d),
    ...metricsProblems(d),
    ...probeProblems(d),
    ...drainProblems(d),
    ...secretProblems(d),
    ...securityProblems(d, manifests.containerfile),
    ...containerProblems(d, manifests.version),
    ...meshTlsProblems(manifests, d),
  ];
}
