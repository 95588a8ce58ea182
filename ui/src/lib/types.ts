/**
 * The shapes the UI reads, as API_SPEC.md defines them. The event and grid read models come from the
 * server's own shared/ types (type-only imports: nothing of the server lands in the bundle).
 */
export type {
  EventDoc,
  GridDoc,
  AlarmView,
  KpiSeries,
  DayStats,
  ComplaintView,
  Series,
  SeriesPoint,
  LiveStats as Stats,
  ActivityTotals,
} from '../../../shared/views.js';
export type { Level } from '../../../shared/levels.js';
export type {
  EventTransition,
  IncidentTransition,
  RuleName,
  EventState,
  TransitionName,
  ComplaintCategory,
} from '../../../shared/schemas.js';
import type { ActivityTotals, EventDoc, GridDoc, NoticeEntry, Series } from '../../../shared/views.js';
import type { EventTransition } from '../../../shared/schemas.js';

export type Role = 'viewer' | 'dispatcher' | 'admin';

export interface Me {
  name: string;
  role: Role;
  cities: string[];
}

export interface Session extends Me {
  token: string;
  expiresAt?: string;
}

export interface City {
  id: string;
  name: string;
}

export interface GridInfo {
  id: string;
  name: string;
  city: string;
  district?: string;
  tier: 'key' | 'important' | 'general';
  subscribers: number;
  center?: [number, number];
  polygon?: [number, number][];
}

export interface Topology {
  cities: City[];
  grids: GridInfo[];
}

/** The `/live` protocol's shapes, shared with the gateway (shared/live_protocol.ts). */
export type { GridLevel, LiveSnapshot as Snapshot } from '../../../shared/live_protocol.js';

export interface GridResponse {
  grid: GridInfo;
  status: GridDoc;
  events: EventDoc[];
  history: EventDoc[];
}

export interface EventResponse {
  event: EventDoc;
  history: EventTransition[];
  /** Who was told of it (and of its incident): the notifier's log. */
  notifications?: Notice[];
}

/** One notice of the notification log (notify/log.ts). */
export type Notice = NoticeEntry;

export type { Why, WhyReason, WhyKpiRow, WhyDeadline } from '../../../gateway/why.js';

export interface KpiThreshold {
  warning: number;
  critical: number;
  margin: number;
  lowerIsWorse: boolean;
}

export type KpiMetricName = 'drop_rate' | 'setup_success' | 'congestion' | 'dl_mbps' | 'mos';

/** GET /api/settings */
export interface Settings {
  timeZone: string;
  locale: 'zh-CN' | 'en';
  kpi: Record<KpiMetricName, KpiThreshold>;
  assignees: {
    teams: { name: string; cities?: string[] }[];
    people: { name: string; team?: string; cities?: string[] }[];
  };
}

/** GET /api/activity */
export interface Activity {
  at: string;
  minutes: number;
  series: Series;
  totals: ActivityTotals;
}
