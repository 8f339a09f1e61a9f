import { dynamoDbLedger } from '../shared/aws/dynamodb-ledger';
import { sageMaker } from '../shared/aws/sagemaker';
import { batchJobSchema, batchModelName, DATE } from '../shared/domain/batch';
import { versionFromArn } from '../shared/domain/model-package';
import type { ResolvedBatchModel } from '../shared/domain/batch-state';
import { NoApprovedModel } from '../shared/errors';
import { executionRoleEnv, ledgerEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/** How a package's last release stands, when it cannot be scored with (rolled back, failed, revoked, still in flight). */
// A RECOVERED claim does not say which way the recovery went; one that kept the new model blessed it already.
const NOT_BLESSED: ReadonlySet<string> = new Set(['ROLLED_BACK', 'ROLLBACK_FAILED', 'FAILED', 'REVOKED', 'IN_PROGRESS', 'ABORTED', 'DRIFTED', 'RECOVERED']);

/**
 * State ResolveBatchModel: which model one nightly job scores with: the group's model as the ledger records
 * it (its last PROMOTED or REGISTERED release). A group the ledger has none for follows its newest Approved
 * package whose release, if it had one, did not end rolled back, failed, revoked or still in flight: a
 * candidate the canary just rolled back is never scored with.
 */
export const resolveBatchModelStep = defineStep({
  step: 'ResolveBatchModel',
  input: z.object({ job: batchJobSchema, date: z.string().check(z.regex(DATE, 'must be YYYY-MM-DD')) }),
  env: z.extend(ledgerEnv, executionRoleEnv.shape),
  aws: { ledger: dynamoDbLedger, sageMaker },
  run: async ({ job }, { env, aws, logger }): Promise<ResolvedBatchModel> => {
    const group = job.modelPackageGroupName;
    const chosen = await (async () => {
      const active = await aws.ledger.activeBatchModel(group);
      if (active !== null) {
        const version = versionFromArn(active.modelPackageArn) ?? (await aws.sageMaker.describeModelPackage(active.modelPackageArn)).version;
        return { modelName: active.modelName, modelPackageArn: active.modelPackageArn, version, source: 'ledger' as const };
      }
      let arn: string | null = null;
      for (const candidate of await aws.sageMaker.approvedPackageArns(group)) {
        const claim = await aws.ledger.packageClaim(candidate);
        if (claim === null || !NOT_BLESSED.has(claim.status)) {
          arn = candidate;
          break;
        }
      }
      if (arn === null) {
        throw new NoApprovedModel(
          `model package group ${group} has no model in the ledger and no Approved model package that was not rolled back, failed, revoked or still in flight; approve a package in the group (or release one with mode batch) before the nightly run`,
        );
      }
      const pkg = await aws.sageMaker.describeModelPackage(arn);
      return { modelName: batchModelName(group, pkg.version), modelPackageArn: pkg.arn, version: pkg.version, source: 'latest-approved' as const };
    })();
    // Also for the ledger's model: creating is idempotent, and a model deleted since its release is
    // rebuilt now instead of failing CreateTransformJob in the middle of the night.
    await aws.sageMaker.createModel({
      ModelName: chosen.modelName,
      ExecutionRoleArn: env.SAGEMAKER_EXECUTION_ROLE_ARN,
      Containers: [{ ModelPackageName: chosen.modelPackageArn }],
      Tags: [
        { Key: 'sagemaker-release-pipeline:model-package', Value: chosen.modelPackageArn },
        { Key: 'sagemaker-release-pipeline:batch-group', Value: group },
      ],
    });
    logger.info('batch model resolved', { job: job.name, ...chosen });
    return chosen;
  },
});

export const handler = awsStepHandler(resolveBatchModelStep);
