import { expectedChangeSeconds, nextCanaryCheckSeconds, nextPollSeconds } from '../../../../functions/shared/domain/poll';

describe('nextPollSeconds: looking at an endpoint change when it should be done, not every 30 s from its start', () => {
  it('waits out the rest of the expected time first', () => {
    expect(nextPollSeconds(0, 360, 30)).toBe(360);
    expect(nextPollSeconds(100.2, 360, 30)).toBe(260);
  });

  it('past the expected time, looks every 10 s for a minute, then every poll interval', () => {
    expect(nextPollSeconds(360, 360, 30)).toBe(10);
    expect(nextPollSeconds(419, 360, 30)).toBe(10);
    expect(nextPollSeconds(421, 360, 30)).toBe(30);
    expect(nextPollSeconds(421, 360, 5)).toBe(5);
  });

  it('polls at the interval when nothing is expected (a state from before expectations existed)', () => {
    expect(nextPollSeconds(0, undefined, 30)).toBe(30);
  });
});

describe('expectedChangeSeconds', () => {
  it('an instance fleet takes about six minutes, a serverless one about two and a half, weights in 45 s; guardrails add their bake', () => {
    expect(expectedChangeSeconds('update')).toBe(360);
    expect(expectedChangeSeconds('create', { serverless: true })).toBe(150);
    expect(expectedChangeSeconds('weights')).toBe(45);
    expect(expectedChangeSeconds('update', { guardedBakeSeconds: 900 })).toBe(1260);
  });
});

describe('nextCanaryCheckSeconds: no look before the alarms can fire, none past the bake', () => {
  const start = Date.parse('2024-05-01T12:00:00Z');
  const bakeUntil = start + 600_000;
  const at = (seconds: number, firstJudgeableSeconds = 180) => nextCanaryCheckSeconds({ now: start + seconds * 1000, startedAt: start, bakeUntil, checkSeconds: 60, firstJudgeableSeconds });

  it('waits until the SLO alarms can first be in ALARM, then looks every check interval', () => {
    expect(at(0)).toBe(180);
    expect(at(180)).toBe(60);
  });

  it('looks from the start when the canary has alarms of unknown timing', () => {
    expect(at(0, 0)).toBe(60);
  });

  it('never sleeps past the end of the bake', () => {
    expect(at(570)).toBe(30);
    expect(at(600)).toBe(1);
  });
});
