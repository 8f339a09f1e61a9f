import { dynamoDbLedger } from '../shared/aws/dynamodb-ledger';
import { sageMaker } from '../shared/aws/sagemaker';
import { releaseTags } from '../shared/domain/endpoint-config';
import { releaseState } from '../shared/domain/state';
import { executionRoleEnv, ledgerEnv, ownershipEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * State RegisterBatchModel: a batch-only model gets no endpoint. Its SageMaker model is created now (so
 * a bad package fails at approval time, not at 2 am) and it becomes its group's active batch model,
 * which the nightly batch scores with.
 */
export const registerBatchModelStep = defineStep({
  step: 'RegisterBatchModel',
  input: releaseState,
  env: z.extend(ledgerEnv, { ...executionRoleEnv.shape, MANAGED_BY: ownershipEnv.shape.MANAGED_BY }),
  aws: { sageMaker, ledger: dynamoDbLedger },
  run: async ({ package: pkg, plan }, { env, aws }) => {
    await aws.sageMaker.createModel({ ModelName: plan.names.model, ExecutionRoleArn: env.SAGEMAKER_EXECUTION_ROLE_ARN, Containers: [{ ModelPackageName: pkg.arn }], Tags: releaseTags(plan, { managedBy: env.MANAGED_BY, groupName: pkg.groupName }, pkg.arn) });
    const active = { groupName: pkg.groupName, modelPackageArn: pkg.arn, modelName: plan.names.model, releaseId: plan.releaseId, registeredAt: new Date(Date.now()).toISOString() };
    await aws.ledger.setActiveBatchModel(active);
    return active;
  },
});

export const handler = awsStepHandler(registerBatchModelStep);
