import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const KUBERNETES_DIR = join(REPO_ROOT, 'deploy/kubernetes');

/** Everything the checks read, as parsed from the checkout; tests mutate a clone of it. */
export interface Manifests {
  /** `base/kustomization.yaml`. */
  kustomization: unknown;
  /** The YAML files in `base/` other than the kustomization, each with its documents. */
  baseFiles: Record<string, unknown[]>;
  /** `secret.example.yaml`. */
  secretExample: unknown;
  /** `mesh-tls/`: the overlay's kustomization and its Deployment patch. */
  meshTls: { kustomization: unknown; patch: unknown };
  /** `deploy/container/Containerfile`, whose USER and EXPOSE the pod must agree with. */
  containerfile: string;
  /** The version of the meshpush package: the image tag the Deployment names. */
  version: string;
}

export function loadManifests(): Manifests {
  const base = join(KUBERNETES_DIR, 'base');
  const baseFiles: Record<string, unknown[]> = {};
  for (const file of readdirSync(base).sort()) {
    if (file.endsWith('.yaml') && file !== 'kustomization.yaml') baseFiles[file] = readYaml(join(base, file));
  }
  const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'apps/server/package.json'), 'utf8')) as {
    version: string;
  };
  return {
    kustomization: readOne(join(base, 'kustomization.yaml')),
    baseFiles,
    secretExample: readOne(join(KUBERNETES_DIR, 'secret.example.yaml')),
    meshTls: {
      kustomization: readOne(join(KUBERNETES_DIR, 'mesh-tls/kustomization.yaml')),
      patch: readOne(join(KUBERNETES_DIR, 'mesh-tls/deployment-patch.yaml')),
    },
    containerfile: readFileSync(join(REPO_ROOT, 'deploy/container/Containerfile'), 'utf8'),
    version: packageJson.version,
  };
}

/** Every document of a YAML file; a syntax error (or a duplicate key) throws, naming the file. */
function readYaml(path: string): unknown[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((document) => {
    const error = document.errors[0];
    if (error !== undefined) throw new Error(`${path}: ${error.message}`);
    return document.toJS() as unknown;
  });
}

function readOne(path: string): unknown {
  const documents = readYaml(path);
  if (documents.length !== 1) throw new Error(`${path}: expected one YAML document, found ${documents.length}`);
  return documents[0];
}
