import { ListModelPackagesCommand } from '@aws-sdk/client-sagemaker';
import { z } from 'zod';
import { sageMakerClient } from '../shared/aws/clients';
import { createModel } from '../shared/aws/endpoints';
import { releaseLedger } from '../shared/aws/ledger';
import { describeModelPackage } from '../shared/aws/model-registry';
import { isNotFound, translateAwsError } from '../shared/aws/translate-error';
import { DATE, batchJobSchema, batchModelName } from '../shared/domain/batch';
import { NoApprovedModel } from '../shared/errors';
import { ledgerEnv } from '../shared/runtime/env';
import { stepHandler } from '../shared/runtime/step-handler';

const env = ledgerEnv.extend({ SAGEMAKER_EXECUTION_ROLE_ARN: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN') });

const input = z.object({
  job: batchJobSchema,
  date: z.string().regex(DATE, 'must be YYYY-MM-DD'),
});

export interface ResolvedBatchModel {
  modelName: string;
  modelPackageArn: string;
  version: number;
  /** Where the choice came from: a batch-only release (ledger) or, failing that, the group's newest Approved package. */
  source: 'ledger' | 'latest-approved';
}

/** `arn:...:model-package/<group>/<version>`: a versioned package's ARN carries its version. */
function versionFromArn(arn: string): number | null {
  const match = /\/(\d+)$/.exec(arn);
  return match?.[1] === undefined ? null : Number(match[1]);
}

async function latestApprovedPackageArn(groupName: string): Promise<string | null> {
  try {
    const out = await sageMakerClient().send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: groupName,
        ModelApprovalStatus: 'Approved',
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 1,
      }),
    );
    return out.ModelPackageSummaryList?.[0]?.ModelPackageArn ?? null;
  } catch (error) {
    // A group that does not exist has no Approved package either; the operator gets one message for both.
    if (isNotFound(error)) return null;
    throw translateAwsError('ListModelPackages', error);
  }
}

async function choose(groupName: string, table: string): Promise<Omit<ResolvedBatchModel, 'modelName'> & { modelName: string | null }> {
  const active = await releaseLedger(table).activeBatchModel(groupName);
  if (active !== null) {
    const version = versionFromArn(active.modelPackageArn) ?? (await describeModelPackage(active.modelPackageArn)).version;
    return { modelName: active.modelName, modelPackageArn: active.modelPackageArn, version, source: 'ledger' };
  }
  const arn = await latestApprovedPackageArn(groupName);
  if (arn === null) {
    throw new NoApprovedModel(
      `model package group ${groupName} has no active batch model in the ledger and no Approved model package; approve a package in the group (or release one with mode batch) before the nightly run`,
    );
  }
  const pkg = await describeModelPackage(arn);
  return { modelName: null, modelPackageArn: pkg.arn, version: pkg.version, source: 'latest-approved' };
}

/**
 * State ResolveBatchModel: which model one nightly job scores with. A batch-only release pins its
 * group's model in the ledger; groups that were never released that way follow their newest Approved
 * package, so approving a package is enough to change what the next night scores with.
 */
export const handler = stepHandler({
  step: 'ResolveBatchModel',
  input,
  env,
  run: async ({ job }, { env, logger }): Promise<ResolvedBatchModel> => {
    const group = job.modelPackageGroupName;
    const chosen = await choose(group, env.LEDGER_TABLE);
    const modelName = chosen.modelName ?? batchModelName(group, chosen.version);
    // Also for the ledger's model: creating is idempotent, and a model deleted since its release is
    // rebuilt now instead of failing CreateTransformJob in the middle of the night.
    await createModel({
      ModelName: modelName,
      ExecutionRoleArn: env.SAGEMAKER_EXECUTION_ROLE_ARN,
      Containers: [{ ModelPackageName: chosen.modelPackageArn }],
      Tags: [
        { Key: 'sagemaker-release-pipeline:model-package', Value: chosen.modelPackageArn },
        { Key: 'sagemaker-release-pipeline:batch-group', Value: group },
      ],
    });
    const resolved: ResolvedBatchModel = { modelName, modelPackageArn: chosen.modelPackageArn, version: chosen.version, source: chosen.source };
    logger.info('batch model resolved', { job: job.name, ...resolved });
    return resolved;
  },
});
