/**
 * What the gateway's configuration says the screens need (GET /api/settings): the province's time
 * zone (every time a screen shows is in it, whatever the browser's zone), the KPI thresholds of
 * rules.yaml and the people and teams to assign to. Until it loads, the shipped defaults hold.
 */
import { api } from './api.js';
import { setTimeZone } from './format.js';
import type { Settings } from './types.js';

export const DEFAULT_SETTINGS: Settings = {
  timeZone: 'Asia/Shanghai',
  locale: 'zh-CN',
  kpi: {
    drop_rate: { warning: 0.02, critical: 0.05, margin: 0.005, lowerIsWorse: false },
    setup_success: { warning: 0.97, critical: 0.9, margin: 0.01, lowerIsWorse: true },
    congestion: { warning: 0.05, critical: 0.15, margin: 0.03, lowerIsWorse: false },
    dl_mbps: { warning: 5, critical: 1, margin: 2, lowerIsWorse: true },
    mos: { warning: 3.5, critical: 3.0, margin: 0.2, lowerIsWorse: true },
  },
  assignees: { teams: [], people: [] },
};

class SettingsStore {
  current = $state.raw<Settings>(DEFAULT_SETTINGS);
  loaded = $state(false);
  #loading: Promise<void> | undefined;

  load(): Promise<void> {
    this.#loading ??= api.settings().then(
      (s) => {
        setTimeZone(s.timeZone);
        this.current = s;
        this.loaded = true;
      },
      () => {
        this.#loading = undefined;
      },
    );
    return this.#loading;
  }

  /** After a login (a dispatcher's assignees are its cities'). */
  reload(): Promise<void> {
    this.#loading = undefined;
    return this.load();
  }
}

export const settings = new SettingsStore();
