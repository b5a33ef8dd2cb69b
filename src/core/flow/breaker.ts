/**
 * A circuit breaker that holds work instead of burning it. Open: callers are told how long to wait.
 * When the wait is over, exactly one caller is let through as a probe; its outcome closes the
 * breaker (success), re-opens it for longer (the same failure) or lets the next caller probe
 * (anything else). Pure: time is passed in.
 */
export class Breaker {
  private openUntil = 0;
  private cooldownMs: number;
  private probing = false;
  /** A probe that never reports back (its holder deferred or crashed) stops blocking after a cooldown. */
  private probeStartedAt = 0;
  private open = false;

  constructor(
    private readonly firstCooldownMs: number,
    private readonly maxCooldownMs: number,
  ) {
    this.cooldownMs = firstCooldownMs;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** `pass` when closed, `probe` for the one caller let through after the cooldown, else how long to wait. */
  check(now: number): { kind: 'pass' } | { kind: 'probe' } | { kind: 'wait'; ms: number } {
    if (!this.open) return { kind: 'pass' };
    if (now < this.openUntil) return { kind: 'wait', ms: this.openUntil - now };
    if (this.probing && now < this.probeStartedAt + this.cooldownMs) {
      return { kind: 'wait', ms: this.probeStartedAt + this.cooldownMs - now };
    }
    this.probing = true;
    this.probeStartedAt = now;
    return { kind: 'probe' };
  }

  /** The failure this breaker guards against happened. True when it was closed until now (alert once). */
  trip(now: number): boolean {
    const wasClosed = !this.open;
    if (this.open && this.probing) this.cooldownMs = Math.min(this.maxCooldownMs, this.cooldownMs * 2);
    this.open = true;
    this.probing = false;
    this.openUntil = now + this.cooldownMs;
    return wasClosed;
  }

  /** A success. True when this closed an open breaker. */
  succeed(): boolean {
    const wasOpen = this.open;
    this.open = false;
    this.probing = false;
    this.cooldownMs = this.firstCooldownMs;
    return wasOpen;
  }

  /** The probe ended some other way (throttled, transient…): the next caller may probe. */
  release(): void {
    this.probing = false;
  }
}
