/**
 * The REST client: every request carries the session's token, every failure is an ApiError with the
 * server's `{error, message}` (and the 409's uncleared alarm ids). A 401 clears the session so
 * screens can send the user to /login.
 */
import { session } from './session.svelte.js';
import type {
  Activity,
  EventResponse,
  GridResponse,
  Me,
  Session,
  Settings,
  Topology,
  EventDoc,
  Why,
  IncidentTransition,
} from './types.js';
import type { Period, ScorecardLine, ScorecardQuery } from './scorecard.js';
import type { Report, ReportPeriod } from '../../../contract/report.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** CADRE_ERR_CONFLICT on resolve: the evidence alarms still raised. */
    readonly alarms: string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = session.current?.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', (err as Error).message);
  }
  const text = await res.text();
  const data = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const e = (data ?? {}) as { error?: string; message?: string; alarms?: string[] };
    if (res.status === 401 && token) session.clear();
    throw new ApiError(
      res.status,
      e.error ?? `HTTP_${res.status}`,
      e.message ?? res.statusText,
      e.alarms ?? [],
    );
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/** A report as the live route answers it: shared/report.ts's, with what the sources covered. */
export type LiveReport = Report & { coverage: { counters: boolean; complaints: boolean } };

function reportPath(period: ReportPeriod, query: { date?: string; city?: string }, format?: 'csv'): string {
  const q = new URLSearchParams();
  if (query.date) q.set('date', query.date);
  if (query.city) q.set('city', query.city);
  if (format) q.set('format', format);
  return `/api/reports/${period}?${q}`;
}

export type ActionName = 'ack' | 'assign' | 'comment' | 'plan' | 'resolve' | 'contact' | 'defer' | 'handover';

/** GET /api/complaints/:id/status: what the customer may know of their complaint (CONTRACT.md "Deal"). */
export interface ComplaintStatus {
  complaint: string;
  status: 'received' | 'in-progress' | 'planned' | 'resolved';
  plannedAt?: string;
  updatedAt: string;
  text: string;
}

/** GET /api/incidents/:id (CONTRACT.md "Incidents"): the incident, its grids' events, its transitions. */
export interface IncidentResponse {
  incident: IncidentTransition;
  events: EventDoc[];
  history: IncidentTransition[];
}

export type IncidentAction = 'ack' | 'assign' | 'comment' | 'resolve';

export const api = {
  login: (username: string, password: string) =>
    request<Omit<Session, 'name'> & { name?: string }>('POST', '/api/login', { username, password }),
  me: () => request<Me>('GET', '/api/me'),
  topology: () => request<Topology>('GET', '/api/topology'),
  events: (query: Record<string, string | undefined>) => {
    const q = new URLSearchParams(Object.entries(query).filter((kv): kv is [string, string] => !!kv[1]));
    return request<{ events: EventDoc[] }>('GET', `/api/events?${q}`);
  },
  settings: () => request<Settings>('GET', '/api/settings'),
  activity: () => request<Activity>('GET', '/api/activity'),
  why: (id: string) => request<{ why: Why }>('GET', `/api/events/${encodeURIComponent(id)}/why`),
  event: (id: string) => request<EventResponse>('GET', `/api/events/${encodeURIComponent(id)}`),
  grid: (id: string) => request<GridResponse>('GET', `/api/grids/${encodeURIComponent(id)}`),
  /** Grid scorecard lines: one grid's (`grid`), or the ranking the wall shows (`sort: 'score'`). */
  scorecards: (query: ScorecardQuery) => {
    const q = new URLSearchParams(
      Object.entries(query).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])),
    );
    return request<{ period: Period; from: string; to: string; scorecards: ScorecardLine[] }>(
      'GET',
      `/api/scorecards?${q}`,
    );
  },
  report: (period: ReportPeriod, query: { date?: string; city?: string }) =>
    request<LiveReport>('GET', reportPath(period, query)),
  /** The CSV with the session's token (a plain link would carry none), and the server's file name. */
  reportCsv: async (period: ReportPeriod, query: { date?: string; city?: string }) => {
    const token = session.current?.token;
    const res = await fetch(reportPath(period, query, 'csv'), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, res.statusText);
    const name =
      /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'cadre-report.csv';
    return { blob: await res.blob(), name };
  },
  act: (id: string, action: ActionName, body: Record<string, unknown> = {}) =>
    request<{ event: EventDoc }>('POST', `/api/events/${encodeURIComponent(id)}/${action}`, body),
  incidents: (query: { state?: 'active' | 'all'; city?: string } = {}) => {
    const q = new URLSearchParams(Object.entries(query).filter((kv): kv is [string, string] => !!kv[1]));
    return request<{ incidents: IncidentTransition[] }>('GET', `/api/incidents?${q}`);
  },
  incident: (id: string) => request<IncidentResponse>('GET', `/api/incidents/${encodeURIComponent(id)}`),
  /** One command on the incident and every event in it; a refused resolve's 409 carries all uncleared alarms. */
  actIncident: (id: string, action: IncidentAction, body: Record<string, unknown> = {}) =>
    request<{ incident: IncidentTransition }>(
      'POST',
      `/api/incidents/${encodeURIComponent(id)}/${action}`,
      body,
    ),
  /**
   * The status page's question, as the customer asks it: never with the session's token (a logged-in
   * reader would be answered without the digits, which is not what the page is for).
   */
  complaintStatus: async (id: string, phone4: string): Promise<ComplaintStatus> => {
    const q = new URLSearchParams({ phone4 });
    let res: Response;
    try {
      res = await fetch(`/api/complaints/${encodeURIComponent(id)}/status?${q}`, {
        headers: { accept: 'application/json' },
      });
    } catch (err) {
      throw new ApiError(0, 'NETWORK', (err as Error).message);
    }
    const data = (await res.json().catch(() => ({}))) as Partial<ComplaintStatus> & {
      error?: string;
      message?: string;
    };
    if (!res.ok)
      throw new ApiError(res.status, data.error ?? `HTTP_${res.status}`, data.message ?? res.statusText);
    return data as ComplaintStatus;
  },
};
