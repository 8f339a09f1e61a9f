import { z } from 'zod';

/** What the pipeline keeps of DescribeModelPackage: enough to plan, deploy and explain. */
export const modelPackageSchema = z.object({
  arn: z.string(),
  groupName: z.string(),
  version: z.number().int(),
  approvalStatus: z.string(),
  status: z.string(),
  containers: z.array(
    z.object({
      image: z.string(),
      modelDataUrl: z.string().nullable(),
    }),
  ),
  supportedContentTypes: z.array(z.string()),
  supportedRealtimeInstanceTypes: z.array(z.string()),
  metadata: z.record(z.string(), z.string()),
  lastModifiedTime: z.string().nullable(),
});
export type ModelPackage = z.infer<typeof modelPackageSchema>;
