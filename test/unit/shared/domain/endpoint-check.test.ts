import { judgeEndpoint } from '../../../../functions/shared/domain/endpoint-check';

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

describe('judgeEndpoint, moments after the change was requested', () => {
  it('an endpoint still InService on another config is not a verdict yet: Pending', () => {
    const view = { status: 'InService', configName: 'old-config', failureReason: null };
    expect(judgeEndpoint(view, { configName: 'new-config', previousConfigName: 'old-config' }, 2, 3600)).toMatchObject({ check: 'Pending' });
    expect(judgeEndpoint(view, { configName: 'new-config', previousConfigName: 'old-config' }, 30, 3600)).toMatchObject({ check: 'RolledBack' });
  });
});
