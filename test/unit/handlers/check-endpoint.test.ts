import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, judgeEndpoint } from '../../../functions/check-endpoint/handler';
import { ENDPOINT, freezeNow, lambdaContext, sdkError, serviceDown, throttled } from '../helpers';

const BOUND = 3600;
const view = (status: string, configName: string | null = 'new-config', failureReason: string | null = null) => ({ status, configName, failureReason });

describe('judgeEndpoint', () => {
  it('InService on the expected config is done', () => {
    expect(judgeEndpoint(view('InService'), { configName: 'new-config' }, 10, BOUND)).toEqual({ check: 'InService', reason: null, endpointStatus: 'InService', configName: 'new-config' });
  });

  it('InService on another config is SageMaker having rolled back: Failed', () => {
    // Act
    const judged = judgeEndpoint(view('InService', 'old-config', 'Request to service failed. Model container health check failed.'), { configName: 'new-config' }, 600, BOUND);

    // Assess
    expect(judged.check).toBe('Failed');
    expect(judged.reason).toBe('endpoint is InService on old-config, not new-config: Request to service failed. Model container health check failed.');
  });

  it.each(['Failed', 'OutOfService'])('%s is Failed, with SageMaker’s reason', (status) => {
    expect(judgeEndpoint(view(status, 'new-config', 'image not found'), { configName: 'new-config' }, 10, BOUND)).toMatchObject({ check: 'Failed', reason: `endpoint is ${status}: image not found` });
  });

  it('an endpoint that should exist but does not is Failed', () => {
    expect(judgeEndpoint(null, { configName: 'new-config' }, 10, BOUND)).toMatchObject({ check: 'Failed', reason: 'the endpoint does not exist', endpointStatus: null });
  });

  it.each(['Creating', 'Updating', 'RollingBack', 'SystemUpdating'])('%s within the bound is Pending', (status) => {
    expect(judgeEndpoint(view(status), { configName: 'new-config' }, BOUND, BOUND)).toMatchObject({ check: 'Pending', reason: null });
  });

  it('still changing after the bound is TimedOut', () => {
    expect(judgeEndpoint(view('Updating'), { configName: 'new-config' }, BOUND + 1, BOUND)).toMatchObject({ check: 'TimedOut', reason: 'endpoint still Updating after 3601 s (bound 3600 s)' });
  });

  it('a failure is reported as Failed even after the bound', () => {
    expect(judgeEndpoint(view('Failed'), { configName: 'new-config' }, BOUND * 2, BOUND).check).toBe('Failed');
  });

  describe('with the previous config known (guarded deployment)', () => {
    const expected = { configName: 'new-config', previousConfigName: 'old-config' };

    it('InService back on the previous config is RolledBack, with SageMaker’s reason', () => {
      expect(judgeEndpoint(view('InService', 'old-config', 'Alarm churn-error-rate went into ALARM'), expected, 900, BOUND)).toEqual({
        check: 'RolledBack',
        reason: 'SageMaker kept the endpoint on old-config: Alarm churn-error-rate went into ALARM',
        endpointStatus: 'InService',
        configName: 'old-config',
      });
    });

    it('RolledBack without a failure reason still names the config', () => {
      expect(judgeEndpoint(view('InService', 'old-config'), expected, 900, BOUND)).toMatchObject({ check: 'RolledBack', reason: 'SageMaker kept the endpoint on old-config' });
    });

    it('InService on the new config is still InService', () => {
      expect(judgeEndpoint(view('InService', 'new-config'), expected, 900, BOUND).check).toBe('InService');
    });

    it('InService on a third config is Failed, not RolledBack', () => {
      expect(judgeEndpoint(view('InService', 'hotfix-config'), expected, 900, BOUND)).toMatchObject({ check: 'Failed', reason: 'endpoint is InService on hotfix-config, not new-config' });
    });

    it('RollingBack is still Pending: the verdict waits for InService', () => {
      expect(judgeEndpoint(view('RollingBack', 'new-config'), expected, 900, BOUND).check).toBe('Pending');
    });

    it.each([null, undefined])('a previous config of %s never makes RolledBack', (previousConfigName) => {
      expect(judgeEndpoint(view('InService', 'old-config'), { configName: 'new-config', previousConfigName }, 900, BOUND).check).toBe('Failed');
    });
  });

  describe('waiting for a deletion (expected config null)', () => {
    it('gone is Deleted', () => {
      expect(judgeEndpoint(null, { configName: null }, 10, BOUND)).toMatchObject({ check: 'Deleted', reason: null });
    });

    it('still Deleting is Pending', () => {
      expect(judgeEndpoint(view('Deleting'), { configName: null }, 10, BOUND).check).toBe('Pending');
    });

    it('still there after the bound is TimedOut', () => {
      expect(judgeEndpoint(view('Deleting'), { configName: null }, BOUND + 1, BOUND)).toMatchObject({ check: 'TimedOut', reason: expect.stringContaining('endpoint still Deleting') });
    });
  });
});

describe('CheckEndpoint handler', () => {
  const sageMaker = mockClient(SageMakerClient);
  beforeAll(() => {
    process.env.ENDPOINT_WAIT_SECONDS = String(BOUND);
  });
  afterEach(() => {
    sageMaker.reset();
    jest.restoreAllMocks();
  });

  const since = '2024-05-01T12:00:00.000Z';

  it('reports InService with the time of the check', async () => {
    // Prepare
    freezeNow('2024-05-01T12:10:00.000Z');
    sageMaker.on(DescribeEndpointCommand, { EndpointName: ENDPOINT }).resolves({ EndpointName: ENDPOINT, EndpointStatus: 'InService', EndpointConfigName: 'new-config' });

    // Act
    const out = await handler({ endpointName: ENDPOINT, expectedConfigName: 'new-config', since }, lambdaContext());

    // Assess
    expect(out).toEqual({ check: 'InService', endpointStatus: 'InService', configName: 'new-config', reason: null, checkedAt: '2024-05-01T12:10:00.000Z' });
  });

  it('times out against ENDPOINT_WAIT_SECONDS measured from since', async () => {
    freezeNow('2024-05-01T13:00:01.000Z');
    sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: ENDPOINT, EndpointStatus: 'Updating', EndpointConfigName: 'old-config' });
    await expect(handler({ endpointName: ENDPOINT, expectedConfigName: 'new-config', since }, lambdaContext())).resolves.toMatchObject({ check: 'TimedOut' });
  });

  it('reports RolledBack when the endpoint is InService again on previousConfigName', async () => {
    freezeNow('2024-05-01T12:30:00.000Z');
    sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: ENDPOINT, EndpointStatus: 'InService', EndpointConfigName: 'old-config', FailureReason: 'alarm fired' });
    await expect(handler({ endpointName: ENDPOINT, expectedConfigName: 'new-config', previousConfigName: 'old-config', since }, lambdaContext())).resolves.toMatchObject({
      check: 'RolledBack',
      reason: 'SageMaker kept the endpoint on old-config: alarm fired',
    });
  });

  it('waits up to boundSeconds instead of ENDPOINT_WAIT_SECONDS when given (a guarded bake)', async () => {
    // Prepare: 1 h 1 s after since, past ENDPOINT_WAIT_SECONDS but within the guarded bound
    freezeNow('2024-05-01T13:00:01.000Z');
    sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: ENDPOINT, EndpointStatus: 'Updating', EndpointConfigName: 'old-config' });
    const input = { endpointName: ENDPOINT, expectedConfigName: 'new-config', previousConfigName: 'old-config', since };

    // Act
    const guarded = await handler({ ...input, boundSeconds: BOUND + 1200 }, lambdaContext());
    const tight = await handler({ ...input, boundSeconds: 60 }, lambdaContext());

    // Assess
    expect(guarded.check).toBe('Pending');
    expect(tight).toMatchObject({ check: 'TimedOut', reason: 'endpoint still Updating after 3601 s (bound 60 s)' });
  });

  it.each([0, -5, 1.5, '3600'])('refuses a boundSeconds of %p as InvalidInput', async (boundSeconds) => {
    await expect(handler({ endpointName: ENDPOINT, expectedConfigName: 'new-config', since, boundSeconds }, lambdaContext())).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining('boundSeconds'),
    });
    expect(sageMaker.calls()).toHaveLength(0);
  });

  it('sees a deleted endpoint as Deleted', async () => {
    sageMaker.on(DescribeEndpointCommand).rejects(sdkError('ValidationException', 400, `Could not find endpoint "${ENDPOINT}".`));
    await expect(handler({ endpointName: ENDPOINT, expectedConfigName: null, since }, lambdaContext())).resolves.toMatchObject({ check: 'Deleted' });
  });

  it.each([
    ['throttled', 'AwsThrottled', throttled],
    ['down', 'AwsUnavailable', serviceDown],
  ])('reports a DescribeEndpoint that is %s as %s, not as a missing endpoint', async (_what, name, error) => {
    sageMaker.on(DescribeEndpointCommand).rejects(error());
    await expect(handler({ endpointName: ENDPOINT, expectedConfigName: null, since }, lambdaContext())).rejects.toMatchObject({ name });
  });

  it('refuses input without expectedConfigName (null must be explicit)', async () => {
    await expect(handler({ endpointName: ENDPOINT, since }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('expectedConfigName') });
    expect(sageMaker.calls()).toHaveLength(0);
  });
});
