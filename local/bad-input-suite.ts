/**
 * The bad-input corpus (local/bad-inputs.ts) as simulation scenarios: each case against a seeded
 * account with a live endpoint, expecting its named error and the account unchanged (models, endpoint
 * configs and endpoints listed before and after).
 */
import { BAD_INPUTS, materialize, type BadInputCase } from './bad-inputs';
import type { Scenario } from './scenario';

const GROUP = 'churn-model';
/** The registry holds v1 (live), v2 (the candidate) and v3 (never approved) of the group. */
const NOT_APPROVED_ARN = `arn:aws:sagemaker:us-east-1:123456789012:model-package/${GROUP}/3`;
const MISSING_ARN = `arn:aws:sagemaker:us-east-1:123456789012:model-package/${GROUP}/99`;

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export function badInputScenario(c: BadInputCase): Scenario {
  const metadataCase = c.input === null && c.metadata !== undefined;
  return {
    name: `bad-input-${slug(c.name)}`,
    description: `bad input: ${c.name}`,
    group: GROUP,
    live: {
      metadata: {},
      containers: 1,
      hosting: 'instance',
      behaviour: { latencyMs: { p50: 40, p99: 120 }, errorRate: 0, response: { contentType: 'text/csv', body: '0.5' } },
    },
    candidate: {
      metadata: c.metadata ?? {},
      containers: 1,
      hosting: 'instance',
      behaviour: { latencyMs: { p50: 40, p99: 120 }, errorRate: 0, response: { contentType: 'text/csv', body: '0.5' } },
    },
    trigger: metadataCase ? 'approval' : { manual: materialize(c.input, { arn: '$CANDIDATE_ARN', rejectedArn: NOT_APPROVED_ARN, missingArn: MISSING_ARN }) },
    duplicateEvents: 1,
    interventions: [],
    traffic: { requestsPerMinute: 60, body: '1,2,3', contentType: 'text/csv' },
    registry: [{ group: GROUP, approved: false }],
    // S3 objects the case needs (batchData seeds any object; a smoke payload file here).
    batchData: c.objects ?? {},
    expect: { outcome: 'FAILED', skipped: 0, error: c.expectedError, accountUnchanged: true },
    seed: 7,
  };
}

/**
 * The corpus as scenarios. Cases SageMaker refuses at CreateModelPackage never start a run; the test
 * suite checks that the local account refuses them as SageMaker does (test/simulation/bad-input.test.ts).
 */
export function badInputScenarios(): Scenario[] {
  return BAD_INPUTS.filter((c) => c.refusedBy === undefined).map(badInputScenario);
}
