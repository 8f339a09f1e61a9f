import { z } from 'zod';
import { createModel } from '../shared/aws/endpoints';
import { releaseLedger } from '../shared/aws/ledger';
import { releaseState } from '../shared/domain/state';
import { ledgerEnv } from '../shared/runtime/env';
import { stepHandler } from '../shared/runtime/step-handler';

const env = ledgerEnv.extend({ SAGEMAKER_EXECUTION_ROLE_ARN: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN') });

/**
 * State RegisterBatchModel: a batch-only model gets no endpoint. Its SageMaker model is created now (so
 * a bad package fails at approval time, not at 2 am) and it becomes its group's active batch model,
 * which the nightly batch branch scores with.
 */
export const handler = stepHandler({
  step: 'RegisterBatchModel',
  input: releaseState,
  env,
  run: async ({ package: pkg, plan }, { env }) => {
    await createModel({
      ModelName: plan.names.model,
      ExecutionRoleArn: env.SAGEMAKER_EXECUTION_ROLE_ARN,
      Containers: [{ ModelPackageName: pkg.arn }],
      Tags: [
        { Key: 'sagemaker-release-pipeline:release', Value: plan.releaseId },
        { Key: 'sagemaker-release-pipeline:model-package', Value: pkg.arn },
      ],
    });
    const active = { groupName: pkg.groupName, modelPackageArn: pkg.arn, modelName: plan.names.model, releaseId: plan.releaseId, registeredAt: new Date(Date.now()).toISOString() };
    await releaseLedger(env.LEDGER_TABLE).setActiveBatchModel(active);
    return active;
  },
});
