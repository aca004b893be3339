import { BoundedQueue } from './bounded-queue';

describe('BoundedQueue', () => {
  it('never runs more than its concurrency at once and runs every task', async () => {
    const queue = new BoundedQueue(2, 100);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        queue.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, 2));
          active--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('turns callers away with 503 overloaded once the waiting line is full', async () => {
    const queue = new BoundedQueue(1, 1);
    let release!: () => void;
    const blocker = queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    const waiter = queue.run(() => Promise.resolve('ran'));
    await expect(queue.run(() => Promise.resolve('rejected'))).rejects.toMatchObject({ code: 'overloaded' });
    release();
    await blocker;
    await expect(waiter).resolves.toBe('ran');
  });

  it('frees its slot when a task fails', async () => {
    const queue = new BoundedQueue(1, 0);
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(queue.run(() => Promise.resolve(1))).resolves.toBe(1);
  });
});
