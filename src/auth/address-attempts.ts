/** One login attempt from an address, as this replica tracks it. */
export interface AddressAttempt {
  readonly bucket: string;
  /** The order in which attempts from the address started reading their recorded failures. */
  readonly seq: number;
  admitted: boolean;
  ended: boolean;
}

interface BucketState {
  lastSeq: number;
  /** Attempts that started reading the recorded failures and were not admitted or refused yet. */
  reading: Set<number>;
  admitted: number;
  /**
   * Failures that ended while attempts were reading, each marked with the last attempt started by then: the reads of
   * those attempts may have missed the failure's commit, the reads of later ones cannot.
   */
  held: number[];
}

/**
 * The login attempts from each address that this replica is handling, so that the failures recorded in the database
 * (read once per attempt, with the user it names) plus these add up to an exact limit however many attempts arrive at
 * once: an attempt counts while it is in flight, and once it failed, for every attempt whose read may have missed it.
 */
export class AddressAttempts {
  private readonly buckets = new Map<string, BucketState>();

  /** An attempt is about to read the address's recorded failures. */
  start(bucket: string): AddressAttempt {
    let state = this.buckets.get(bucket);
    if (!state) {
      state = { lastSeq: 0, reading: new Set(), admitted: 0, held: [] };
      this.buckets.set(bucket, state);
    }
    const seq = ++state.lastSeq;
    state.reading.add(seq);
    return { bucket, seq, admitted: false, ended: false };
  }

  /** What counts against the limit for `attempt` besides the failures its read found. */
  unseen(attempt: AddressAttempt): number {
    const state = this.buckets.get(attempt.bucket)!;
    return state.admitted + state.held.filter((mark) => mark >= attempt.seq).length;
  }

  admit(attempt: AddressAttempt): void {
    const state = this.buckets.get(attempt.bucket)!;
    state.reading.delete(attempt.seq);
    state.admitted++;
    attempt.admitted = true;
    this.prune(attempt.bucket, state);
  }

  /** The attempt is over (refused, succeeded, or `failed` with its failure committed); safe to call twice. */
  end(attempt: AddressAttempt, failed: boolean): void {
    if (attempt.ended) {
      return;
    }
    attempt.ended = true;
    const state = this.buckets.get(attempt.bucket)!;
    state.reading.delete(attempt.seq);
    if (attempt.admitted) {
      state.admitted--;
      if (failed && state.reading.size) {
        state.held.push(state.lastSeq);
      }
    }
    this.prune(attempt.bucket, state);
  }

  /** How many addresses have attempts or held failures here (for tests). */
  get size(): number {
    return this.buckets.size;
  }

  private prune(bucket: string, state: BucketState): void {
    const oldestReading = Math.min(...state.reading);
    state.held = state.held.filter((mark) => mark >= oldestReading);
    if (!state.reading.size && !state.admitted && !state.held.length) {
      this.buckets.delete(bucket);
    }
  }
}
