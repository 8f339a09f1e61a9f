import type { Tag } from './views';

/**
 * Which endpoints the pipeline may change (README, "Ownership"). It changes an endpoint only if it manages
 * it, by its tags: it created it, or an operator adopted it (`{"action": "adopt"}`). And a model package
 * group releases only to the endpoints bound to it: bound when the pipeline created the endpoint for the
 * group, at adoption, or beforehand by the stage param `endpointBindings`. IAM holds the roles to the same
 * tag, so a mistake here is refused by AWS too.
 */
export const MANAGED_BY_TAG = 'sagemaker-release-pipeline:managed-by';
export const GROUP_TAG = 'sagemaker-release-pipeline:model-package-group';

/** The tags that make an endpoint this pipeline's, bound to `groupName`. */
export function ownershipTags(managedBy: string, groupName: string): Tag[] {
  return [
    { Key: MANAGED_BY_TAG, Value: managedBy },
    { Key: GROUP_TAG, Value: groupName },
  ];
}

export interface OwnershipProblem {
  error: 'EndpointNotManaged' | 'EndpointBoundToAnotherGroup';
  message: string;
}

export interface OwnershipInput {
  endpointName: string;
  /** The endpoint's tags, or null when there is no such endpoint (the release creates it, bound to its group). */
  tags: Readonly<Record<string, string>> | null;
  groupName: string;
  /** This deployment's MANAGED_BY value (service and stage). */
  managedBy: string;
  /** endpointBindings: endpoint name to the group that alone may release to it. */
  bindings: Readonly<Record<string, string>>;
}

/** The adopt input an operator starts to let the pipeline manage an endpoint made elsewhere. */
export function adoptCommand(endpointName: string, groupName: string): string {
  return `{"action": "adopt", "endpointName": "${endpointName}", "modelPackageGroupName": "${groupName}", "requestedBy": "<you>"}`;
}

/** Why `groupName` may not release to the endpoint, or null when it may. */
export function ownershipProblem({ endpointName, tags, groupName, managedBy, bindings }: OwnershipInput): OwnershipProblem | null {
  const preBound = bindings[endpointName];
  const bound = tags?.[GROUP_TAG] ?? preBound;
  if (tags !== null && tags[MANAGED_BY_TAG] !== managedBy) {
    const other = tags[MANAGED_BY_TAG];
    return {
      error: 'EndpointNotManaged',
      message:
        other !== undefined
          ? `Endpoint ${endpointName} is managed by ${other}, not by ${managedBy}: this pipeline does not change it`
          : `Endpoint ${endpointName} was neither created by this pipeline nor adopted (no ${MANAGED_BY_TAG} tag): it is not changed; to release to it, adopt it first: ${adoptCommand(endpointName, groupName)}`,
    };
  }
  if (bound !== undefined && bound !== groupName) {
    return {
      error: 'EndpointBoundToAnotherGroup',
      message: `Endpoint ${endpointName} is bound to model package group ${bound}${tags?.[GROUP_TAG] === undefined ? ' (stage param endpointBindings)' : ''}: group ${groupName} cannot release to it`,
    };
  }
  return null;
}

export const ADOPTED_BY_TAG = 'sagemaker-release-pipeline:adopted-by';
export const ADOPTED_AT_TAG = 'sagemaker-release-pipeline:adopted-at';

/** What an adoption does to an endpoint's tags: adopt it, find it adopted already for the group, or refuse. */
export type AdoptionDecision = { action: 'adopt'; tags: Tag[] } | { action: 'already-managed' } | { action: 'refuse'; problem: OwnershipProblem };

/**
 * Adoption makes an endpoint made elsewhere this pipeline's, bound to `groupName`, recording who and when on
 * its tags. An endpoint another deployment manages, or one bound to another group, is refused; one that is
 * already this pipeline's for the group is left as it is (a retried step, or a second adoption).
 */
export function decideAdoption(input: { endpointName: string; tags: Readonly<Record<string, string>>; groupName: string; managedBy: string; bindings: Readonly<Record<string, string>>; requestedBy: string; at: string }): AdoptionDecision {
  const { endpointName, tags, groupName, managedBy, bindings } = input;
  const owner = tags[MANAGED_BY_TAG];
  if (owner !== undefined && owner !== managedBy) {
    return { action: 'refuse', problem: { error: 'EndpointNotManaged', message: `Endpoint ${endpointName} is managed by ${owner}, not by ${managedBy}: only that deployment releases to it` } };
  }
  const bound = tags[GROUP_TAG] ?? bindings[endpointName];
  if (bound !== undefined && bound !== groupName) {
    return {
      action: 'refuse',
      problem: { error: 'EndpointBoundToAnotherGroup', message: `Endpoint ${endpointName} is bound to model package group ${bound}${tags[GROUP_TAG] === undefined ? ' (stage param endpointBindings)' : ''}: it cannot be adopted for group ${groupName}` },
    };
  }
  if (owner === managedBy && tags[GROUP_TAG] === groupName) return { action: 'already-managed' };
  return {
    action: 'adopt',
    tags: [...ownershipTags(managedBy, groupName), { Key: ADOPTED_BY_TAG, Value: input.requestedBy }, { Key: ADOPTED_AT_TAG, Value: input.at }],
  };
}
