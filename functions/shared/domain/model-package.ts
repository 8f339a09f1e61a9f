import { PackageNotDeployable } from '../errors';
import * as z from '../zod';

/** What the pipeline keeps of DescribeModelPackage: enough to plan, deploy and explain. */
export const modelPackageSchema = z.object({
  arn: z.string(),
  groupName: z.string(),
  version: z.int(),
  approvalStatus: z.string(),
  status: z.string(),
  containers: z.array(
    z.object({
      image: z.string(),
      modelDataUrl: z.nullable(z.string()),
    }),
  ),
  supportedContentTypes: z.array(z.string()),
  /** The package's sample payload archive (`.tar.gz`), the smoke test's fallback. Optional: states written before it existed lack it. */
  samplePayloadUrl: z.optional(z.nullable(z.string())),
  supportedRealtimeInstanceTypes: z.array(z.string()),
  metadata: z.record(z.string(), z.string()),
  lastModifiedTime: z.nullable(z.string()),
  /**
   * Who approved it: DescribeModelPackage's LastModifiedBy (the approval is the package's last change when the
   * release reads it): an IAM identity ARN or a Studio user profile. Optional: states written before it lack it.
   */
  approvedBy: z.optional(z.nullable(z.string())),
});
export type ModelPackage = z.infer<typeof modelPackageSchema>;

/**
 * The registry is the source of truth, not the event: the package may have been rejected again
 * between the event and now, and a manual run has only the ARN. Refuses one that must not be deployed.
 */
export function refuseUndeployable(pkg: ModelPackage): void {
  const problems: string[] = [];
  if (pkg.approvalStatus !== 'Approved') problems.push(`approval status is ${pkg.approvalStatus}, not Approved`);
  if (pkg.status !== 'Completed') problems.push(`package status is ${pkg.status}, not Completed`);
  if (pkg.containers.length === 0) problems.push('it has no InferenceSpecification containers');
  if (problems.length > 0) throw new PackageNotDeployable(`Model package ${pkg.arn} cannot be deployed: ${problems.join('; ')}`);
}

/** `arn:...:model-package/<group>/<version>`: a versioned package's ARN carries its version. */
export function versionFromArn(arn: string): number | null {
  const match = /\/(\d+)$/.exec(arn);
  return match?.[1] === undefined ? null : Number(match[1]);
}
