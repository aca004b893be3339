import { HttpStatus } from '@nestjs/common';
import { ProblemException } from './errors/problem.exception';

/**
 * Runs at most `concurrency` tasks at once and lets at most `maxWaiting` wait; past that, callers are turned away
 * with 503 instead of piling up memory (a login flood must not exhaust the process).
 */
export class BoundedQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) {
        throw new ProblemException(
          HttpStatus.SERVICE_UNAVAILABLE,
          'overloaded',
          'The server is busy; try again shortly.',
          undefined,
          { 'retry-after': '1' },
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) {
        next();
      } else {
        this.running--;
      }
    }
  }
}
