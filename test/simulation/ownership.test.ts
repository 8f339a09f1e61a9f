/**
 * The pipeline changes only what it owns: an endpoint it did not create is refused until an operator adopts
 * it, and then released to like its own. And nightly scoring uses only what a release blessed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMoto, type MotoServer } from '../../local/moto';
import { parseScenario, SCENARIO_DIR } from '../../local/scenario';
import { runScenario } from '../../local/runner';
import { loadFreshModule as loadModule } from '../support/fresh-module';

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto.stop();
});

const base = () => {
  const { live: _live, ...rest } = JSON.parse(readFileSync(join(SCENARIO_DIR, 'realtime-canary-promote.json'), 'utf8')) as Record<string, unknown>;
  return rest as Record<string, unknown> & { candidate: { metadata: Record<string, string> } };
};
const ADOPT = { action: 'adopt', endpointName: 'churn-by-hand', modelPackageGroupName: 'churn-model', requestedBy: 'alice@example.com' };

describe('ownership', () => {
  it('an endpoint made by hand, once adopted, is released to like its own (PROMOTED), and the adoption is announced', async () => {
    // Prepare
    const scenario = base();
    const adoptThenRelease = parseScenario(
      {
        ...scenario,
        name: 'adopt-then-release',
        candidate: { ...scenario.candidate, metadata: { ...scenario.candidate.metadata, 'endpoint.name': 'churn-by-hand' } },
        foreignEndpoint: { name: 'churn-by-hand', group: 'churn-model' },
        trigger: { manual: ADOPT },
        then: { manual: { modelPackageArn: '$CANDIDATE_ARN' } },
        expect: { outcome: 'PROMOTED', endpoint: 'candidate' },
      },
      'adopt-then-release (test)',
    );

    // Act
    const result = await runScenario(adoptThenRelease, { moto, loadModule });

    // Assess
    expect(result.failures).toEqual([]);
    expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(result.timeline.find((e) => e.title === 'AdoptEndpoint')?.detail).toMatch(/churn-by-hand/);
    expect(result.events).toEqual(['Endpoint Adopted', 'Model Deployment Succeeded']);
  });

  it('an adoption for another group of an endpoint bound to a group is refused, and changes nothing', async () => {
    const scenario = base();
    const refused = parseScenario(
      {
        ...scenario,
        name: 'adopt-bound-endpoint',
        trigger: 'approval',
        then: { manual: { ...ADOPT, endpointName: 'churn-model', modelPackageGroupName: 'payments-fraud' } },
        expect: { outcome: 'PROMOTED', endpoint: 'candidate' },
      },
      'adopt-bound-endpoint (test)',
    );
    const result = await runScenario(refused, { moto, loadModule });
    expect(result.executions[1]).toMatchObject({ status: 'FAILED', error: 'EndpointBoundToAnotherGroup' });
    expect(result.events).toEqual(['Model Deployment Succeeded']);
  });
});

describe('batch uses the blessed model', () => {
  it('the night after a canary rolled its candidate back, scoring uses the live model, not the newest Approved one', async () => {
    // Prepare
    const rollback = JSON.parse(readFileSync(join(SCENARIO_DIR, 'realtime-canary-alarm-rollback.json'), 'utf8')) as Record<string, unknown>;
    const scenario = parseScenario(
      {
        ...rollback,
        name: 'nightly-after-rollback',
        batchJobs: [{ name: 'churn', modelPackageGroupName: 'churn-model', inputPrefix: 's3://sagemaker-local-data/churn/input/{date}/', outputPrefix: 's3://sagemaker-local-data/churn/output/{date}/' }],
        batchData: { 's3://sagemaker-local-data/churn/input/{date}/part-0.csv': '1,2,3\n4,5,6\n' },
        then: 'schedule',
        expect: { outcome: 'SCORED' },
      },
      'nightly-after-rollback (test)',
    );

    // Act
    const result = await runScenario(scenario, { moto, loadModule });

    // Assess
    expect(result.failures).toEqual([]);
    expect(result.executions[0]?.outcome).toBe('ROLLED_BACK');
    const resolved = result.timeline.filter((e) => e.title.endsWith('ResolveBatchModel')).map((e) => e.detail);
    expect(resolved).toEqual([expect.stringMatching(/^churn-model-v1-batch from latest-approved \(.*model-package\/churn-model\/1\)$/)]);
  });
});
