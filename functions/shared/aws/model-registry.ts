import { DescribeModelPackageCommand, type DescribeModelPackageCommandOutput } from '@aws-sdk/client-sagemaker';
import { PackageNotFound } from '../errors';
import type { ModelPackage } from '../domain/model-package';
import { sageMakerClient } from './clients';
import { isNotFound, translateAwsError } from './translate-error';

/** DescribeModelPackage's answer, reduced to what the pipeline uses. Pure: `npm run plan` uses it offline. */
export function toModelPackage(arn: string, out: DescribeModelPackageCommandOutput): ModelPackage {
  const spec = out.InferenceSpecification;
  return {
    arn: out.ModelPackageArn ?? arn,
    groupName: out.ModelPackageGroupName ?? arn.split('/')[1] ?? '',
    version: out.ModelPackageVersion ?? 0,
    approvalStatus: out.ModelApprovalStatus ?? 'Unknown',
    status: out.ModelPackageStatus ?? 'Unknown',
    containers: (spec?.Containers ?? []).map((c) => ({ image: c.Image ?? '', modelDataUrl: c.ModelDataUrl ?? null })),
    supportedContentTypes: spec?.SupportedContentTypes ?? [],
    supportedRealtimeInstanceTypes: spec?.SupportedRealtimeInferenceInstanceTypes ?? [],
    metadata: out.CustomerMetadataProperties ?? {},
    lastModifiedTime: out.LastModifiedTime ? new Date(out.LastModifiedTime).toISOString() : null,
  };
}

export async function describeModelPackage(arn: string): Promise<ModelPackage> {
  try {
    const out = await sageMakerClient().send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    return toModelPackage(arn, out);
  } catch (error) {
    if (isNotFound(error)) throw new PackageNotFound(`Model package ${arn} does not exist (or this account cannot see it)`, { cause: error });
    throw translateAwsError('DescribeModelPackage', error);
  }
}
