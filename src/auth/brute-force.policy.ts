/** The failure counters of one account, as stored in `login_failures`. */
export interface FailureState {
  consecutive: number;
  lockCount: number;
  lockedUntil: Date | null;
  hourStartedAt: Date;
  hourCount: number;
  updatedAt: Date;
}

export interface LockoutPolicy {
  /** Consecutive failures that start a lock. */
  lockAfterFailures: number;
  /** The first lock; each further one doubles, up to `lockMaxSeconds`. */
  lockSeconds: number;
  lockMaxSeconds: number;
  /** Failures within an hour that lock the account for the rest of that hour. */
  maxFailuresPerHour: number;
}

const HOUR_MS = 3_600_000;
/** After this long without a failure the escalation starts again from the first lock (Keycloak's default). */
export const ESCALATION_RESET_MS = 12 * HOUR_MS;

export function isLocked(state: Pick<FailureState, 'lockedUntil'> | null, now: Date): boolean {
  return !!state?.lockedUntil && state.lockedUntil.getTime() > now.getTime();
}

/**
 * The counters after one more wrong password. Attempts made while the account is locked are not counted
 * (they are refused before reaching here), so waiting out a lock is always enough for the rightful user.
 */
export function afterFailure(previous: FailureState | null, now: Date, policy: LockoutPolicy): FailureState {
  const fresh = !previous || now.getTime() - previous.updatedAt.getTime() >= ESCALATION_RESET_MS;
  const state: FailureState = fresh
    ? { consecutive: 0, lockCount: 0, lockedUntil: null, hourStartedAt: now, hourCount: 0, updatedAt: now }
    : { ...previous };
  if (now.getTime() - state.hourStartedAt.getTime() >= HOUR_MS) {
    state.hourStartedAt = now;
    state.hourCount = 0;
  }
  state.hourCount += 1;
  state.consecutive += 1;
  state.updatedAt = now;
  if (state.consecutive >= policy.lockAfterFailures) {
    state.lockCount += 1;
    state.consecutive = 0;
    const seconds = Math.min(policy.lockSeconds * 2 ** (state.lockCount - 1), policy.lockMaxSeconds);
    state.lockedUntil = new Date(now.getTime() + seconds * 1000);
  }
  if (state.hourCount >= policy.maxFailuresPerHour) {
    const endOfHour = new Date(state.hourStartedAt.getTime() + HOUR_MS);
    if (!state.lockedUntil || state.lockedUntil < endOfHour) {
      state.lockedUntil = endOfHour;
    }
  }
  return state;
}
