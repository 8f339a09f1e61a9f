import { z } from 'zod';
import { InvalidInput } from '../errors';
import { describeZodIssues } from '../runtime/validation';

export const MODEL_PACKAGE_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}(\/\d+)?$/;
const modelPackageArn = z.string().regex(MODEL_PACKAGE_ARN, 'must be a SageMaker model package ARN (arn:aws:sagemaker:REGION:ACCOUNT:model-package/GROUP/VERSION)');
const endpointName = z.string().max(63, 'must be at most 63 characters').regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'must be 1-63 letters, digits or hyphens');
const overrides = z.record(z.string(), z.string({ message: 'override values must be strings, as in CustomerMetadataProperties' }));

/** The EventBridge event SageMaker sends; only the fields we rely on are checked. */
const approvalEventSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.literal('SageMaker Model Package State Change'),
  source: z.literal('aws.sagemaker'),
  time: z.string().min(1),
  detail: z.object({
    ModelPackageArn: modelPackageArn,
    ModelApprovalStatus: z.literal('Approved', { message: 'must be "Approved": the pipeline only releases approved packages' }),
  }),
});

/** A run an operator starts from the console: README, "Start a run by hand". */
const manualDeploySchema = z
  .object({
    action: z.literal('deploy').optional(),
    modelPackageArn,
    endpointName: endpointName.optional(),
    overrides: overrides.optional(),
    force: z.boolean().optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();

export interface DeployRequest {
  action: 'deploy';
  trigger: 'approval-event' | 'manual';
  modelPackageArn: string;
  endpointName: string | null;
  overrides: Record<string, string>;
  force: boolean;
  dryRun: boolean;
  /** EventBridge event id, for tracing duplicates; null for manual runs. */
  eventId: string | null;
  /** When the approval happened (event time) or when the operator asked; orders releases per endpoint. */
  requestedAt: string;
}

export type ReleaseRequest = DeployRequest;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(what: string, error: z.ZodError): never {
  throw new InvalidInput(`${what}: ${describeZodIssues(error)}`);
}

/**
 * One shape out of the ways a run can start. The kind of input is told by its keys (an EventBridge
 * event has `detail-type`), so a malformed event is reported as a malformed event, not as a
 * malformed manual run.
 */
export function normalizeRequest(input: unknown, now: Date): ReleaseRequest {
  if (!isRecord(input)) throw new InvalidInput('Execution input must be a JSON object: an approval event or a manual run (see README)');
  if ('detail-type' in input || 'source' in input || 'detail' in input) {
    const parsed = approvalEventSchema.safeParse(input);
    if (!parsed.success) fail('Not a usable SageMaker Model Package State Change event', parsed.error);
    return {
      action: 'deploy',
      trigger: 'approval-event',
      modelPackageArn: parsed.data.detail.ModelPackageArn,
      endpointName: null,
      overrides: {},
      force: false,
      dryRun: false,
      eventId: parsed.data.id,
      requestedAt: parsed.data.time,
    };
  }
  const action = input.action ?? 'deploy';
  if (action === 'deploy') {
    const parsed = manualDeploySchema.safeParse(input);
    if (!parsed.success) fail('Invalid manual deploy input', parsed.error);
    return {
      action: 'deploy',
      trigger: 'manual',
      modelPackageArn: parsed.data.modelPackageArn,
      endpointName: parsed.data.endpointName ?? null,
      overrides: parsed.data.overrides ?? {},
      force: parsed.data.force ?? false,
      dryRun: parsed.data.dryRun ?? false,
      eventId: null,
      requestedAt: now.toISOString(),
    };
  }
  throw new InvalidInput(`action: unknown action ${JSON.stringify(action)}; expected "deploy"`);
}
