import { sageMaker } from '../shared/aws/sagemaker';
import { refuseUndeployable } from '../shared/domain/model-package';
import { awsEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * State DescribePackage: the package as the registry holds it now (the source of truth, not the event),
 * refused when it must not be deployed.
 */
export const describePackageStep = defineStep({
  step: 'DescribePackage',
  input: z.object({ request: z.object({ modelPackageArn: z.string() }) }),
  env: awsEnv,
  aws: { sageMaker },
  run: async ({ request }, { aws }) => {
    const pkg = await aws.sageMaker.describeModelPackage(request.modelPackageArn);
    refuseUndeployable(pkg);
    return pkg;
  },
});

export const handler = awsStepHandler(describePackageStep);
