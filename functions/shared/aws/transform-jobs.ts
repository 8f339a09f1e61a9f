import { DescribeTransformJobCommand, type DescribeTransformJobCommandOutput } from '@aws-sdk/client-sagemaker';
import { sageMakerClient } from './clients';
import { isNotFound, translateAwsError } from './translate-error';

/** The transform job as SageMaker sees it now, or null when no job has that name. */
export async function describeTransformJobIfPresent(jobName: string): Promise<DescribeTransformJobCommandOutput | null> {
  try {
    return await sageMakerClient().send(new DescribeTransformJobCommand({ TransformJobName: jobName }));
  } catch (error) {
    if (isNotFound(error)) return null;
    throw translateAwsError('DescribeTransformJob', error);
  }
}
