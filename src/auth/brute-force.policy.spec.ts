import { afterFailure, ESCALATION_RESET_MS, FailureState, isLocked, LockoutPolicy } from './brute-force.policy';

const policy: LockoutPolicy = { lockAfterFailures: 5, lockSeconds: 60, lockMaxSeconds: 900, maxFailuresPerHour: 100 };
const start = new Date('2026-11-28T10:00:00.000Z');
const at = (ms: number): Date => new Date(start.getTime() + ms);

/** Fails `times` times, `gapMs` apart, starting at `from`; each burst waits out any lock first. */
function fail(state: FailureState | null, times: number, from: Date, gapMs = 1000): FailureState {
  let current = state;
  for (let i = 0; i < times; i++) {
    current = afterFailure(current, new Date(from.getTime() + i * gapMs), policy);
  }
  return current!;
}

describe('brute-force policy', () => {
  it('locks for one minute after five consecutive failures, not before', () => {
    const four = fail(null, 4, start);
    expect(isLocked(four, at(4000))).toBe(false);
    const five = afterFailure(four, at(4000), policy);
    expect(five.lockedUntil).toEqual(at(4000 + 60_000));
    expect(isLocked(five, at(5000))).toBe(true);
    expect(isLocked(five, at(64_001))).toBe(false);
  });

  it('doubles each further lock up to fifteen minutes', () => {
    let state: FailureState | null = null;
    let now = start;
    const durations: number[] = [];
    for (let lock = 0; lock < 7; lock++) {
      state = fail(state, 5, now, 1);
      const failedAt = new Date(now.getTime() + 4);
      durations.push((state.lockedUntil!.getTime() - failedAt.getTime()) / 1000);
      now = new Date(state.lockedUntil!.getTime() + 1);
    }
    expect(durations).toEqual([60, 120, 240, 480, 900, 900, 900]);
  });

  it('starts the escalation again after a long quiet period', () => {
    const locked = fail(fail(null, 5, start), 5, at(120_000));
    expect(locked.lockCount).toBe(2);
    const later = afterFailure(locked, at(130_000 + ESCALATION_RESET_MS), policy);
    expect(later).toMatchObject({ lockCount: 0, consecutive: 1, hourCount: 1 });
  });

  it('locks for the rest of the hour once the hourly cap is reached', () => {
    const strict: LockoutPolicy = { ...policy, lockAfterFailures: 1000, maxFailuresPerHour: 10 };
    let state: FailureState | null = null;
    for (let i = 0; i < 10; i++) {
      state = afterFailure(state, at(i * 60_000), strict);
    }
    expect(state!.lockedUntil).toEqual(at(3_600_000));
  });

  it('opens a new hourly window after an hour', () => {
    const state = afterFailure(fail(null, 3, start), at(3_600_000), policy);
    expect(state).toMatchObject({ hourCount: 1, hourStartedAt: at(3_600_000), consecutive: 4 });
  });
});
