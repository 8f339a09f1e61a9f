import * as z from '../zod';
import { jsonString } from '../schema';

const nonEmpty = z.string().check(z.minLength(1));

/** Seconds-as-string env value, e.g. a wait bound from serverless params. */
export const secondsFromEnv = z.pipe(z.string().check(z.regex(/^\d+$/, 'must be a whole number of seconds')), z.transform(Number));

/**
 * What every step that calls AWS reads: the region, and how long one SDK request may take before it fails
 * as a retryable timeout (stage param awsRequestTimeoutMs).
 */
export const awsEnv = z.object({
  AWS_REGION: nonEmpty,
  AWS_REQUEST_TIMEOUT_MS: z._default(z.pipe(z.string().check(z.regex(/^\d+$/, 'must be a whole number of milliseconds')), z.transform(Number)), 10000),
});
export type AwsEnv = z.output<typeof awsEnv>;

export const ledgerEnv = z.extend(awsEnv, { LEDGER_TABLE: nonEmpty });
export type LedgerEnv = z.output<typeof ledgerEnv>;

export const eventsEnv = z.extend(awsEnv, { EVENT_BUS_NAME: nonEmpty, EVENT_SOURCE: nonEmpty });
export type EventsEnv = z.output<typeof eventsEnv>;

export const roleArn = z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'));

/** Steps that create SageMaker models pass this role to SageMaker. */
export const executionRoleEnv = z.extend(awsEnv, { SAGEMAKER_EXECUTION_ROLE_ARN: roleArn });

/** Ownership: this deployment's managed-by tag value, and the endpoints bound to a group beforehand. */
export const ownershipEnv = z.object({
  MANAGED_BY: nonEmpty,
  ENDPOINT_BINDINGS: z._default(jsonString(z.record(z.string(), z.string()), 'a JSON object of endpoint name to model package group'), {}),
});
export type OwnershipEnv = z.output<typeof ownershipEnv>;

/**
 * One of the stage's S3 location params (a JSON list of `s3://bucket/prefix`), for steps that refuse a
 * setting pointing elsewhere before any change. Absent: not checked here (IAM still holds the roles to them).
 */
export const s3LocationsEnv = z.optional(jsonString(z.array(z.string().check(z.regex(/^s3:\/\/[^/]+\/.*$/, 'must be an s3://bucket/prefix location'))), 'a JSON list of s3://bucket/prefix locations'));
