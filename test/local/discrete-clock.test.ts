/**
 * The discrete clock the simulation runs on: virtual time stands still while anything runs and jumps to the
 * next event when nothing does; turns run one at a time in the order asked; the same actors give the same
 * virtual trace however slow the real work inside their turns is.
 */
import { setTimeout as realDelay } from 'node:timers/promises';
import { DiscreteClock } from '../../local/clock';

const START = Date.UTC(2026, 2, 2, 9, 0, 0);
const seconds = (clock: DiscreteClock) => (clock.now() - START) / 1000;

describe('DiscreteClock', () => {
  it('stands still while a turn does real work, however long it takes', async () => {
    // Prepare
    const clock = new DiscreteClock({ startMs: START });
    let sleeperWokeAt: number | undefined;
    const sleeper = clock.sleep(30).then(() => (sleeperWokeAt = seconds(clock)));

    // Act: real time passes inside a turn (as an SDK retry or a slow moto would take).
    const seen = await clock.exclusive(async () => {
      const before = seconds(clock);
      await realDelay(50);
      return [before, seconds(clock)];
    });
    await sleeper;

    // Assess
    expect(seen).toEqual([0, 0]);
    expect(sleeperWokeAt).toBe(30);
  });

  it('jumps to the earliest sleeper when nothing runs, waking ties in the order they slept', async () => {
    // Prepare
    const clock = new DiscreteClock({ startMs: START });
    const woke: string[] = [];
    const nap = (name: string, s: number) => clock.sleep(s).then(() => woke.push(`${name}@${seconds(clock)}`));

    // Act
    await Promise.all([nap('late', 90), nap('first', 10), nap('tie-a', 60), nap('tie-b', 60)]);

    // Assess
    expect(woke).toEqual(['first@10', 'tie-a@60', 'tie-b@60', 'late@90']);
  });

  it('runs turns one at a time, in the order asked; a turn that sleeps lets the others run meanwhile', async () => {
    // Prepare
    const clock = new DiscreteClock({ startMs: START });
    const trace: string[] = [];
    const turn = (name: string, sleepSeconds: number) =>
      clock.exclusive(async () => {
        trace.push(`${name} starts @${seconds(clock)}`);
        await realDelay(5);
        if (sleepSeconds > 0) await clock.sleep(sleepSeconds);
        trace.push(`${name} ends @${seconds(clock)}`);
      });

    // Act
    await Promise.all([turn('a', 20), turn('b', 0), turn('c', 0)]);

    // Assess: a gives its turn up while it sleeps; b and c run at 0 s, one after the other; a resumes at 20 s.
    expect(trace).toEqual(['a starts @0', 'b starts @0', 'b ends @0', 'c starts @0', 'c ends @0', 'a ends @20']);
  });

  it('lets the hooks simulate up to each step before the sleepers due then wake', async () => {
    // Prepare
    const clock = new DiscreteClock({ startMs: START });
    const steps: string[] = [];
    clock.onAdvance(async (to) => {
      await realDelay(5);
      steps.push(`simulated to ${(to - START) / 1000}`);
    });

    // Act
    await Promise.all([clock.sleep(60).then(() => steps.push('woke @60')), clock.sleep(120).then(() => steps.push('woke @120'))]);

    // Assess
    expect(steps).toEqual(['simulated to 60', 'woke @60', 'simulated to 120', 'woke @120']);
  });

  it('wakes an aborted sleeper at once, without moving time', async () => {
    // Prepare
    const clock = new DiscreteClock({ startMs: START });
    const stop = new AbortController();
    const long = clock.sleep(3600, stop.signal);

    // Act
    stop.abort();
    await long;

    // Assess
    expect(seconds(clock)).toBe(0);
    expect(clock.quiet).toBe(true);
  });

  it('gives the turn up for a delay inside a request it serves (a model latency), then back to its holder', async () => {
    // Prepare
    const clock = new DiscreteClock({ startMs: START });
    const trace: string[] = [];

    // Act: the holder's "request" sleeps on its behalf; another turn asked meanwhile runs in the gap.
    await Promise.all([
      clock.exclusive(async () => {
        await clock.sleepForTurnHolder(0.25);
        trace.push(`holder answered @${seconds(clock)}`);
      }),
      clock.exclusive(async () => {
        trace.push(`other @${seconds(clock)}`);
      }),
    ]);

    // Assess
    expect(trace).toEqual(['other @0', 'holder answered @0.25']);
  });

  it('gives the same virtual trace whatever the real work in each turn costs', async () => {
    // Prepare: three actors alternating turns and sleeps, their real work random in length.
    const run = async (realWorkMs: () => number) => {
      const clock = new DiscreteClock({ startMs: START });
      const trace: string[] = [];
      const actor = async (name: string, period: number) => {
        for (let i = 0; i < 4; i++) {
          await clock.exclusive(async () => {
            await realDelay(realWorkMs());
            trace.push(`${name}${i}@${seconds(clock)}`);
          });
          await clock.sleep(period);
        }
      };
      await Promise.all([actor('a', 30), actor('b', 45), actor('c', 30)]);
      return trace;
    };

    // Act
    const quick = await run(() => 0);
    const slowAndUneven = await run(() => Math.floor(Math.random() * 15));

    // Assess
    expect(slowAndUneven).toEqual(quick);
    expect(quick.slice(0, 6)).toEqual(['a0@0', 'b0@0', 'c0@0', 'a1@30', 'c1@30', 'b1@45']);
  });
});
