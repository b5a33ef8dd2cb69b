/**
 * A counting semaphore that hands a released permit directly to the longest-waiting acquirer, so a
 * steady stream of newcomers cannot starve an early waiter.
 */
export class Semaphore {
  private available: number;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly permits: number) {
    this.available = permits;
  }

  get inUse(): number {
    return this.permits - this.available;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  tryAcquire(): boolean {
    if (this.available > 0 && this.waiters.length === 0) {
      this.available--;
      return true;
    }
    return false;
  }

  /** Resolves true with a permit, or false if `signal` aborts first (then no permit is held). */
  acquire(signal?: AbortSignal): Promise<boolean> {
    if (this.tryAcquire()) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const grant = () => {
        signal?.removeEventListener('abort', abandon);
        resolve(true);
      };
      const abandon = () => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(false);
      };
      this.waiters.push(grant);
      signal?.addEventListener('abort', abandon, { once: true });
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.available = Math.min(this.permits, this.available + 1);
  }
}
