import { z } from 'zod';
import { releaseLedger } from '../shared/aws/ledger';
import { ledgerEnv } from '../shared/runtime/env';
import { stepHandler } from '../shared/runtime/step-handler';

/**
 * State RecordRevocation: a package was rejected in the registry. Its release claim is marked REVOKED,
 * so approving it again later is a deliberate redeploy (released, recorded as such) rather than a
 * duplicate. What is deployed is left alone: rejecting a model is a registry decision, and taking a
 * serving endpoint down is an operator's (README, "Start a run by hand", rollback).
 */
export const handler = stepHandler({
  step: 'RecordRevocation',
  input: z.object({ request: z.object({ action: z.literal('revoke'), modelPackageArn: z.string() }) }),
  env: ledgerEnv,
  run: async ({ request }, { env }) => {
    const revoked = await releaseLedger(env.LEDGER_TABLE).revokePackage({ modelPackageArn: request.modelPackageArn, now: new Date(Date.now()) });
    return { modelPackageArn: request.modelPackageArn, revoked, note: revoked ? 'a later approval releases this package again' : 'no finished release of this package to revoke' };
  },
});
