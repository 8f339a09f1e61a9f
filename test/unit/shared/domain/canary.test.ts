import { judgeCanary } from '../../../../functions/shared/domain/canary';
import type { AlarmState } from '../../../../functions/shared/domain/views';

const BAKE_UNTIL = Date.parse('2024-05-01T12:30:00.000Z');
const ALARMS = ['churn-error-rate', 'churn-latency-p99'];
const ok = (name: string): AlarmState => ({ name, state: 'OK', reason: null });

function judge(overrides: Partial<Parameters<typeof judgeCanary>[0]> = {}) {
  return judgeCanary({
    expectedAlarms: ALARMS,
    alarms: ALARMS.map(ok),
    now: BAKE_UNTIL + 1,
    bakeUntil: BAKE_UNTIL,
    invocations: 500,
    minInvocations: 100,
    insufficientTraffic: 'rollback',
    ...overrides,
  });
}

describe('judgeCanary', () => {
  it('is healthy once the bake is over with enough traffic and quiet alarms', () => {
    expect(judge()).toEqual({ verdict: 'healthy', reason: 'no alarm fired during the bake; 500 canary invocations' });
  });

  it('is still baking before bakeUntil, whatever the traffic', () => {
    // Act
    const judgement = judge({ now: BAKE_UNTIL - 1, invocations: null });

    // Assess
    expect(judgement.verdict).toBe('baking');
    expect(judgement.reason).toBe('baking until 2024-05-01T12:30:00.000Z');
  });

  it('is done exactly at bakeUntil', () => {
    expect(judge({ now: BAKE_UNTIL }).verdict).toBe('healthy');
  });

  it('an alarm in ALARM ends the bake at once, naming the alarm and its reason', () => {
    // Prepare
    const alarms = [ok('churn-error-rate'), { name: 'churn-latency-p99', state: 'ALARM', reason: 'Threshold Crossed: 2 datapoints' }];

    // Act
    const judgement = judge({ alarms, now: BAKE_UNTIL - 60_000, invocations: null });

    // Assess
    expect(judgement.verdict).toBe('alarm');
    expect(judgement.reason).toBe('alarm churn-latency-p99 is in ALARM (Threshold Crossed: 2 datapoints)');
  });

  it('an alarm wins over too little traffic', () => {
    const judgement = judge({ alarms: [ok('churn-error-rate'), { name: 'churn-latency-p99', state: 'ALARM', reason: null }], invocations: 0 });
    expect(judgement.verdict).toBe('alarm');
  });

  it('INSUFFICIENT_DATA is not firing', () => {
    expect(judge({ alarms: ALARMS.map((name) => ({ name, state: 'INSUFFICIENT_DATA', reason: null })) }).verdict).toBe('healthy');
  });

  it('an alarm that vanished during the bake counts as firing', () => {
    // Act
    const judgement = judge({ alarms: [ok('churn-error-rate')], now: BAKE_UNTIL - 1 });

    // Assess
    expect(judgement).toEqual({ verdict: 'alarm', reason: 'alarm churn-latency-p99 no longer exists' });
  });

  it('too little traffic rolls back when canary.insufficientTraffic is rollback', () => {
    // Act
    const judgement = judge({ invocations: 99, minInvocations: 100 });

    // Assess
    expect(judgement.verdict).toBe('insufficient-traffic');
    expect(judgement.reason).toContain('only 99 canary invocations during the bake; canary.minInvocations is 100');
  });

  it('no datapoints at all count as zero invocations', () => {
    expect(judge({ invocations: null, minInvocations: 1 }).reason).toContain('only 0 canary invocations');
  });

  it('too little traffic promotes when canary.insufficientTraffic is promote, and says so', () => {
    // Act
    const judgement = judge({ invocations: 3, insufficientTraffic: 'promote' });

    // Assess
    expect(judgement.verdict).toBe('healthy');
    expect(judgement.reason).toContain('promoting anyway because canary.insufficientTraffic is promote');
  });

  it('exactly minInvocations is enough', () => {
    expect(judge({ invocations: 100, minInvocations: 100 }).verdict).toBe('healthy');
  });

  it('with canary.minInvocations 0 a silent canary is still healthy', () => {
    expect(judge({ invocations: 0, minInvocations: 0 }).verdict).toBe('healthy');
  });
});
