import { sageMaker } from '../shared/aws/sagemaker';
import { stopBeforeChange } from '../shared/domain/drift';
import { releaseState } from '../shared/domain/state';
import { awsEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';

/**
 * States GuardedConfirmApproval and AsyncConfirmApproval: SageMaker's own guardrail bake runs to its end
 * without asking the registry, so before the release is recorded as promoted the package's approval is read
 * again. Rejected (or sent back to pending) meanwhile: verdict revoked, and the release rolls back to the
 * config that served before it, as for a failed smoke test, ending REVOKED.
 */
export const confirmApprovalStep = defineStep({
  step: 'ConfirmApproval',
  input: releaseState,
  env: awsEnv,
  aws: { sageMaker },
  run: async ({ package: pkg }, { aws }) => {
    const { approvalStatus } = await aws.sageMaker.describeModelPackage(pkg.arn);
    return stopBeforeChange(approvalStatus, null, 'recording the promotion SageMaker finished') ?? { verdict: 'proceed' as const, approvalStatus };
  },
});

export const handler = awsStepHandler(confirmApprovalStep);
