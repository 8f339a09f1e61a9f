import { awsSampleApprovalEvent } from '../../fixtures/aws-sample';
import { handler } from '../../../functions/normalize-input/handler';
import { freezeNow, lambdaContext } from '../helpers';

const EXECUTION = { id: 'arn:aws:states:us-east-1:123456789012:execution:release-pipeline:run-1', startTime: '2024-05-01T12:00:01.000Z' };
const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-model/7';

afterEach(() => jest.restoreAllMocks());

describe('NormalizeInput handler', () => {
  it('turns an approval event into a request and passes the execution through', async () => {
    // Prepare
    const event = awsSampleApprovalEvent();
    event.detail.ModelApprovalStatus = 'Approved';

    // Act
    const out = await handler({ input: event, workflow: 'release', execution: EXECUTION }, lambdaContext());

    // Assess
    expect(out.execution).toEqual(EXECUTION);
    expect(out.request).toMatchObject({ trigger: 'approval-event', modelPackageArn: 'arn:aws:sagemaker:us-east-2:123456789012:model-package/versionedmp-p-idy6c3e1fiqj/2' });
  });

  it('stamps a manual run with the current time', async () => {
    // Prepare
    freezeNow('2024-06-01T08:00:00.000Z');

    // Act
    const out = await handler({ input: { modelPackageArn: ARN }, workflow: 'release', execution: EXECUTION }, lambdaContext());

    // Assess
    expect(out.request.requestedAt).toBe('2024-06-01T08:00:00.000Z');
    expect(out.request.trigger).toBe('manual');
  });

  it('refuses a bad manual run with InvalidInput naming the field', async () => {
    await expect(handler({ input: { modelPackageArn: ARN, overrides: { 'canary.percent': 5 } }, workflow: 'release', execution: EXECUTION }, lambdaContext())).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining('overrides.canary.percent'),
    });
  });

  it('refuses a call without the execution context object', async () => {
    await expect(handler({ input: { modelPackageArn: ARN }, workflow: 'release' }, lambdaContext())).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining('execution'),
    });
  });

  it('takes only its own state machine\'s requests, and says which one to start instead', async () => {
    // Act
    const scoreOnRelease = handler({ input: { action: 'nightly-batch' }, workflow: 'release', execution: EXECUTION }, lambdaContext());
    const deployOnBatch = handler({ input: { modelPackageArn: ARN }, workflow: 'batch-scoring', execution: EXECUTION }, lambdaContext());
    const nightly = await handler({ input: { action: 'nightly-batch', date: '2026-11-22' }, workflow: 'batch-scoring', execution: EXECUTION }, lambdaContext());

    // Assess
    await expect(scoreOnRelease).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('start the batch-scoring state machine') });
    await expect(deployOnBatch).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('start the release state machine') });
    expect(nightly.request).toMatchObject({ action: 'batch', trigger: 'schedule', date: '2026-11-22' });
  });
});
