import { z } from 'zod';
import { describeModelPackage } from '../shared/aws/model-registry';
import { PackageNotDeployable } from '../shared/errors';
import type { ModelPackage } from '../shared/domain/model-package';
import { stepHandler } from '../shared/runtime/step-handler';

/**
 * The registry is the source of truth, not the event: the package may have been rejected again
 * between the event and now, and a manual run has only the ARN.
 */
export function refuseUndeployable(pkg: ModelPackage): void {
  const problems: string[] = [];
  if (pkg.approvalStatus !== 'Approved') problems.push(`approval status is ${pkg.approvalStatus}, not Approved`);
  if (pkg.status !== 'Completed') problems.push(`package status is ${pkg.status}, not Completed`);
  if (pkg.containers.length === 0) problems.push('it has no InferenceSpecification containers');
  if (problems.length > 0) throw new PackageNotDeployable(`Model package ${pkg.arn} cannot be deployed: ${problems.join('; ')}`);
}

/** State DescribePackage. */
export const handler = stepHandler({
  step: 'DescribePackage',
  input: z.object({ request: z.object({ modelPackageArn: z.string() }) }),
  env: z.object({}),
  run: async ({ request }) => {
    const pkg = await describeModelPackage(request.modelPackageArn);
    refuseUndeployable(pkg);
    return pkg;
  },
});
