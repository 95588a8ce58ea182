/**
 * One shared wall clock for countdowns, the header clock and the stale check: a single 1 s timer for
 * the whole page instead of one per row.
 */
class Clock {
  now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | undefined;
  #users = 0;

  /** Starts ticking while at least one component uses it; returns the stop function. */
  use(): () => void {
    if (this.#users++ === 0) {
      this.now = Date.now();
      this.#timer = setInterval(() => (this.now = Date.now()), 1000);
    }
    return () => {
      if (--this.#users === 0) clearInterval(this.#timer);
    };
  }
}

export const clock = new Clock();
