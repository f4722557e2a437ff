import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';

/**
 * The kinds these manifests may use, each with its model from kubernetes-models: the Kubernetes
 * OpenAPI schemas compiled to validators and shipped in the package, so validation needs no
 * cluster and no network. A kind missing here is a problem too, rather than an unchecked object.
 */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

/** The schema's verdict on one object: `[]` or what is wrong, named by kind and name. */
export function schemaProblems(object: unknown): string[] {
  const { apiVersion, kind, metadata } = (object ?? {}) as { apiVersion?: unknown; kind?: unknown; metadata?: unknown };
  const name = `${String(kind)} ${String((metadata as { name?: unknown } | undefined)?.name)}`;
  const Model = MODELS[`${String(apiVersion)}/${String(kind)}`];
  if (Model === undefined) return [`${name}: no schema for apiVersion ${String(apiVersion)}, kind ${String(kind)}`];
  try {
    new Model(object as never).validate();
    return [];
  } catch (error) {
    return [`${name}: ${error instanceof Error ? error.message : String(error)}`];
  }
}
