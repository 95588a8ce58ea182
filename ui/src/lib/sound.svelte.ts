/**
 * The desk's alert for a new red event: a short two-tone beep made with WebAudio (no audio file),
 * muted by a toggle kept in localStorage. Browsers start audio only after a user gesture, so the
 * context is resumed on the first click.
 */
const KEY = 'cadre.muted';

class Sound {
  muted = $state(localStorage.getItem(KEY) === '1');
  #ctx: AudioContext | undefined;
  #lastBeep = 0;

  constructor() {
    addEventListener('pointerdown', () => void this.#context()?.resume(), { once: true });
  }

  toggle(): void {
    this.muted = !this.muted;
    localStorage.setItem(KEY, this.muted ? '1' : '0');
    if (!this.muted) void this.#context()?.resume();
  }

  /** At most one beep per 2 s, however many reds arrive together. */
  alert(now = Date.now()): void {
    if (this.muted || now - this.#lastBeep < 2000) return;
    const ctx = this.#context();
    if (!ctx || ctx.state !== 'running') return;
    this.#lastBeep = now;
    const t0 = ctx.currentTime;
    for (const [i, freq] of [880, 660].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const start = t0 + i * 0.18;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.17);
    }
  }

  #context(): AudioContext | undefined {
    if (this.#ctx) return this.#ctx;
    const Ctor = window.AudioContext;
    if (!Ctor) return undefined;
    this.#ctx = new Ctor();
    return this.#ctx;
  }
}

export const sound = new Sound();
