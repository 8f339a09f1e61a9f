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
 * config that served before it, as for a failed smoke test, ending REVOKED. MultiModelConfirmApproval asks
 * the same after the smoke test, before the candidate becomes the group's live artifact (revoked: the
 * staged artifact is removed and the live one left as it was).
 */
export const confirmApprovalStep = defineStep({
  step: 'ConfirmApproval',
  input: releaseState,
  env: awsEnv,
  aws: { sageMaker },
  run: async ({ package: pkg, plan }, { aws }) => {
    const { approvalStatus } = await aws.sageMaker.describeModelPackage(pkg.arn);
    const change = plan.style === 'multi-model-artifact' ? "making it the group's live artifact" : 'recording the promotion SageMaker finished';
    return stopBeforeChange(approvalStatus, null, change) ?? { verdict: 'proceed' as const, approvalStatus };
  },
});

export const handler = awsStepHandler(confirmApprovalStep);
