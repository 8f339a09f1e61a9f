import { dynamoDbLedger } from '../shared/aws/dynamodb-ledger';
import { eventBridge } from '../shared/aws/eventbridge';
import { sageMaker } from '../shared/aws/sagemaker';
import { EndpointStateConflict } from '../shared/errors';
import { refuseOnProblems } from '../shared/domain/preflight';
import { decideAdoption } from '../shared/domain/ownership';
import { executionSlice } from '../shared/domain/state';
import { eventsEnv, ledgerEnv, ownershipEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/** The outcome event of an adoption. */
export const ENDPOINT_ADOPTED = 'Endpoint Adopted';

/**
 * State AdoptEndpoint (an operator's {"action": "adopt", endpointName, modelPackageGroupName, requestedBy}):
 * lets the pipeline manage an endpoint made elsewhere, bound to one group. It tags the endpoint (managed-by,
 * the group, who adopted it and when), records the adoption in the ledger and sends "Endpoint Adopted".
 * What the endpoint serves is not changed. An endpoint another deployment manages, or bound to another
 * group, is refused with a named error before anything is tagged.
 */
export const adoptEndpointStep = defineStep({
  step: 'AdoptEndpoint',
  input: z.object({
    request: z.object({
      action: z.literal('adopt'),
      endpointName: z.string(),
      modelPackageGroupName: z.string(),
      requestedBy: z.string(),
      reason: z.nullable(z.string()),
      requestedAt: z.string(),
    }),
    execution: executionSlice,
  }),
  env: z.extend(z.extend(ledgerEnv, eventsEnv.shape), ownershipEnv.shape),
  aws: { sageMaker, ledger: dynamoDbLedger, events: eventBridge },
  run: async ({ request, execution }, { aws, env }) => {
    const { endpointName, modelPackageGroupName, requestedBy } = request;
    const live = await aws.sageMaker.describeEndpoint(endpointName);
    if (live === null || live.arn === undefined) throw new EndpointStateConflict(`There is no endpoint named ${endpointName} to adopt; nothing was changed`);
    const tags = await aws.sageMaker.listTags(live.arn);
    const decision = decideAdoption({ endpointName, tags, groupName: modelPackageGroupName, managedBy: env.MANAGED_BY, bindings: env.ENDPOINT_BINDINGS, requestedBy, at: request.requestedAt });
    if (decision.action === 'refuse') refuseOnProblems([decision.problem]);
    if (decision.action === 'adopt') await aws.sageMaker.addTags(live.arn, decision.tags);
    const adoption = { endpointName, modelPackageGroupName, requestedBy, reason: request.reason, adoptedAt: request.requestedAt, executionArn: execution.id, previousTags: tags };
    await aws.ledger.recordAdoption(adoption);
    const eventId = `adopt.${endpointName}.${execution.id.split(':').pop() ?? request.requestedAt}`;
    const detail = { eventId, ...adoption, alreadyManaged: decision.action === 'already-managed', serving: { configName: live.configName, variants: live.variants } };
    await aws.events.publish(ENDPOINT_ADOPTED, detail, [live.arn, execution.id]);
    return { endpointName, modelPackageGroupName, requestedBy, adoptedAt: request.requestedAt, alreadyManaged: decision.action === 'already-managed' };
  },
});

export const handler = awsStepHandler(adoptEndpointStep);
