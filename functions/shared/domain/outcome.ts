import type { ReleaseOutcome } from './ledger';

export interface OutcomeInputs {
  outcome: ReleaseOutcome;
  error?: { Error?: string; Cause?: string } | null;
  deployCheck?: { check: string; reason: string | null } | null;
  smoke?: { passed: boolean; reason: string } | null;
  canaryCheck?: { verdict: string; reason: string } | null;
  rollbackCheck?: { check: string; reason: string | null } | null;
  /** The error that stopped the rollback itself (RollBack or RestoreModelArtifact caught). */
  rollbackError?: { Error?: string; Cause?: string } | null;
  claim?: { status: string; existingReleaseId?: string; existingStatus?: string } | null;
}

export interface Explanation {
  /** What made the release end this way, in a word: error, endpoint, smoke-test, canary, duplicate, promoted. */
  trigger: string;
  reason: string;
  /** Error name for the failed execution (Fail state ErrorPath); null when the run succeeds. */
  errorName: string | null;
}

/** The Cause of a Lambda failure as Step Functions reports it is JSON with errorMessage; show just the message. */
export function errorMessageOf(cause: string | undefined): string {
  if (cause === undefined) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the cause is the message
  }
  return cause;
}

/** Why a release ended as it did, from the state the run accumulated. The first cause found wins. */
export function explainOutcome(inputs: OutcomeInputs): Explanation {
  const errorName = (fallback: string) => inputs.error?.Error ?? fallback;
  if (inputs.outcome === 'SKIPPED') {
    const c = inputs.claim;
    return { trigger: 'duplicate', reason: `package already released by release ${c?.existingReleaseId ?? 'unknown'} (${c?.existingStatus ?? 'unknown'}); use a manual run with "force": true to release it again`, errorName: null };
  }
  if (inputs.outcome === 'REGISTERED') return { trigger: 'registered', reason: 'registered as the active batch model of its group; scored by the nightly batch branch', errorName: null };
  if (inputs.outcome === 'PROMOTED') return { trigger: 'promoted', reason: inputs.canaryCheck?.reason ?? inputs.smoke?.reason ?? 'deployed', errorName: null };

  let trigger = 'unknown';
  let reason = 'no reason recorded';
  if (inputs.error?.Error !== undefined) {
    trigger = 'error';
    reason = `${inputs.error.Error}: ${errorMessageOf(inputs.error.Cause)}`;
  } else if (inputs.deployCheck?.check === 'RolledBack') {
    trigger = 'sagemaker-rollback';
    reason = `SageMaker rolled the deployment back: ${inputs.deployCheck.reason ?? ''}`;
  } else if (inputs.deployCheck && inputs.deployCheck.check !== 'InService') {
    trigger = 'endpoint';
    reason = `deployment ${inputs.deployCheck.check}: ${inputs.deployCheck.reason ?? ''}`;
  } else if (inputs.smoke && !inputs.smoke.passed) {
    trigger = 'smoke-test';
    reason = `smoke test failed: ${inputs.smoke.reason}`;
  } else if (inputs.canaryCheck && inputs.canaryCheck.verdict !== 'healthy') {
    trigger = 'canary';
    reason = `canary ${inputs.canaryCheck.verdict}: ${inputs.canaryCheck.reason}`;
  }
  if (inputs.outcome === 'ROLLBACK_FAILED') {
    return { trigger, reason: `${reason}; then the rollback failed: ${inputs.rollbackCheck?.reason ?? (inputs.rollbackError?.Error !== undefined ? `${inputs.rollbackError.Error}: ${errorMessageOf(inputs.rollbackError.Cause)}` : 'see execution history')}`, errorName: 'RollbackFailed' };
  }
  if (inputs.outcome === 'ROLLED_BACK') return { trigger, reason, errorName: 'ReleaseRolledBack' };
  return { trigger, reason, errorName: errorName('ReleaseFailed') };
}

export const DETAIL_TYPES: Record<ReleaseOutcome, string> = {
  PROMOTED: 'Model Deployment Succeeded',
  REGISTERED: 'Model Deployment Succeeded',
  ROLLED_BACK: 'Model Deployment Rolled Back',
  FAILED: 'Model Deployment Failed',
  ROLLBACK_FAILED: 'Model Deployment Rollback Failed',
  SKIPPED: 'Model Deployment Skipped',
};
