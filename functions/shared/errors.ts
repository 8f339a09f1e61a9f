/**
 * Named errors. Step Functions Retry/Catch match on `name`, so every name is a string literal
 * (it survives esbuild minification, unlike a class name).
 *
 * Business outcomes a Choice state can route on (a failed smoke test, a firing alarm) are returned
 * as data instead; these errors are for input that cannot be processed and for AWS failures.
 */
abstract class NamedError extends Error {
  abstract override readonly name: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The execution input (event, manual run, schedule) does not have the documented shape. */
export class InvalidInput extends NamedError {
  override readonly name = 'InvalidInput' as const;
}
/** A package's CustomerMetadataProperties or a stage default holds a value the pipeline cannot use. */
export class InvalidSettings extends NamedError {
  override readonly name = 'InvalidSettings' as const;
}
/** The endpoint was neither created by this pipeline nor adopted: the pipeline does not change it. */
export class EndpointNotManaged extends NamedError {
  override readonly name = 'EndpointNotManaged' as const;
}
/** The endpoint is bound to another model package group, which alone releases to it. */
export class EndpointBoundToAnotherGroup extends NamedError {
  override readonly name = 'EndpointBoundToAnotherGroup' as const;
}
/** A setting loosens a bound the platform sets (stage params): a package may tighten them, never loosen. */
export class PolicyViolation extends NamedError {
  override readonly name = 'PolicyViolation' as const;
}
/** The Lambda environment is missing or malformed: a deployment problem, not an input problem. */
export class InvalidConfiguration extends NamedError {
  override readonly name = 'InvalidConfiguration' as const;
}
/** The package exists but must not be deployed (not Approved, not Completed, no inference specification). */
export class PackageNotDeployable extends NamedError {
  override readonly name = 'PackageNotDeployable' as const;
}
export class PackageNotFound extends NamedError {
  override readonly name = 'PackageNotFound' as const;
}
/** The requested inference mode cannot host this model (e.g. serverless with a GPU instance type). */
export class ModeNotSupported extends NamedError {
  override readonly name = 'ModeNotSupported' as const;
}
/** The endpoint is not in a state this step can act on (e.g. changed by someone else mid-release). */
export class EndpointStateConflict extends NamedError {
  override readonly name = 'EndpointStateConflict' as const;
}
/** Another release holds the endpoint's lease. */
export class EndpointBusy extends NamedError {
  override readonly name = 'EndpointBusy' as const;
}
/** SageMaker stayed busy on the endpoint past the wait bound, so the rollback could not start its undo. */
export class RollbackTimedOut extends NamedError {
  override readonly name = 'RollbackTimedOut' as const;
}
/** A batch job's group has no active batch model in the ledger and no Approved package to fall back to. */
export class NoApprovedModel extends NamedError {
  override readonly name = 'NoApprovedModel' as const;
}
/** AWS asked us to slow down. Retried with backoff and jitter by the state machine. */
export class AwsThrottled extends NamedError {
  override readonly name = 'AwsThrottled' as const;
}
/** AWS answered 5xx or did not answer in time. Retried with backoff and jitter by the state machine. */
export class AwsUnavailable extends NamedError {
  override readonly name = 'AwsUnavailable' as const;
}
/** AWS refused the request (validation, missing resource, limit). Not retried: retrying cannot help. */
export class AwsRequestRejected extends NamedError {
  override readonly name = 'AwsRequestRejected' as const;
}

/** The outcome was announced but the ledger could not be written even after retrying: the run ends OutcomeNotRecorded. */
export class LedgerWriteFailed extends NamedError {
  override readonly name = 'LedgerWriteFailed' as const;
}

/** The names every Lambda task's Retry must list (checked against the packaged ASL by test/templates). */
export const RETRYABLE_ERROR_NAMES = ['AwsThrottled', 'AwsUnavailable'] as const;
