import { dynamoDbLedger } from '../shared/aws/dynamodb-ledger';
import { ledgerEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * State RecordRevocation: a package was rejected in the registry. Its release claim is marked REVOKED,
 * so approving it again later is a deliberate redeploy (released, recorded as such) rather than a
 * duplicate. What is deployed is left alone: rejecting a model is a registry decision, and taking a
 * serving endpoint down is an operator's (README, "Start a run by hand", rollback).
 */
export const recordRevocationStep = defineStep({
  step: 'RecordRevocation',
  input: z.object({ request: z.object({ action: z.literal('revoke'), modelPackageArn: z.string() }) }),
  env: ledgerEnv,
  aws: { ledger: dynamoDbLedger },
  run: async ({ request }, { aws }) => {
    const revoked = await aws.ledger.revokePackage({ modelPackageArn: request.modelPackageArn, now: new Date(Date.now()) });
    return { modelPackageArn: request.modelPackageArn, revoked, note: revoked ? 'a later approval releases this package again' : 'no finished release of this package to revoke' };
  },
});

export const handler = awsStepHandler(recordRevocationStep);
