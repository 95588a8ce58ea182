/**
 * What the screens need beside events and grids (any reader, the anonymous wall included):
 * - `GET /api/settings`: the configured time zone and locale (every time a screen shows is in
 *   `cadre.yaml` `timeZone`), the KPI thresholds of rules.yaml (the grid page's reference lines) and
 *   the people and teams of access.yaml `assignees` the reader may assign to (dispatchers: of their
 *   cities);
 * - `GET /api/activity`: the wall's per-minute series and its sums — openings by level, escalations
 *   and lifts apart — the same object the wall draws;
 * - `GET /api/events/:id/why`: why the event has its level and deadlines (gateway/why.ts).
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { JetStreamClient } from '@nats-io/jetstream';
import { CadreError } from '../shared/errors.js';
import { KpiSchema, type Kpi } from '../shared/schemas.js';
import { compile, decodeChecked, type CheckLog } from '../shared/validate.js';
import { subjects, STREAMS } from '../shared/subjects.js';
import { formatTime, MINUTE } from '../shared/time.js';
import type { EventDoc } from '../shared/views.js';
import { READERS } from './auth.js';
import type { GatewayContext } from './context.js';
import { explain } from './why.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });
/** How far back the why panel looks for an element's last KPI sample, and how many it reads at most. */
const SAMPLE_LOOKBACK_MS = 30 * MINUTE;
const SAMPLE_READ_MAX = 20_000;
/** CADRE_IN holds what producers sent, the input the processor rejected too: each sample is checked. */
const KPI = compile(KpiSchema);

export async function uiRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const { config } = ctx;

  app.get('/api/settings', { preHandler: app.requireRole(...READERS) }, async (request) => {
    const who = request.principal;
    const mine = (cities: string[] | undefined) =>
      who.role !== 'dispatcher' || !cities || cities.some((c) => who.cities.includes(c));
    const { teams = [], people = [] } = config.access.assignees ?? {};
    return {
      timeZone: config.cadre.timeZone,
      locale: config.cadre.locale,
      kpi: config.rules.kpi.metrics,
      assignees: {
        teams: teams.filter((t) => mine(t.cities)),
        people: people.filter((p) => mine(p.cities)),
      },
    };
  });

  app.get('/api/activity', { preHandler: app.requireRole(...READERS) }, async () => {
    const now = ctx.now();
    return {
      at: formatTime(now),
      minutes: ctx.model.series.minutes,
      series: ctx.model.series.series(now),
      totals: ctx.model.series.totals(now),
    };
  });

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/events/:id/why',
    { schema: { params: IdParams }, preHandler: app.requireRole(...READERS) },
    async (request) => {
      const event = ctx.model.event(request.params.id);
      if (!event) throw new CadreError('CADRE_ERR_UNKNOWN_EVENT', `No event ${request.params.id}`);
      const grid = config.topology.grid(event.grid);
      if (!grid) throw new CadreError('CADRE_ERR_NOT_FOUND', `No grid ${event.grid}`);
      const samples =
        event.rule === 'kpi'
          ? await lastSamples(ctx.js, event, ctx.now(), request.log).catch(() => new Map())
          : new Map();
      return {
        why: explain({
          event,
          grid,
          doc: ctx.model.grid(grid.id),
          rules: config.rules,
          topology: config.topology,
          gridEvents: [...ctx.model.activeEvents()].filter((e) => e.grid === grid.id),
          samples,
          now: ctx.now(),
        }),
      };
    },
  );
}

/** The latest kpi input of each of the event's elements, from the city's kpi subject (bounded read). */
async function lastSamples(
  js: JetStreamClient,
  event: EventDoc,
  now: number,
  log: CheckLog,
): Promise<Map<string, Kpi>> {
  const wanted = new Set(event.evidence.elements);
  const found = new Map<string, Kpi>();
  const until = Math.min(now, Date.parse(event.at) + MINUTE);
  const consumer = await js.consumers.get(STREAMS.input.name, {
    filter_subjects: subjects.input('kpi', event.city),
    opt_start_time: formatTime(until - SAMPLE_LOOKBACK_MS),
  });
  try {
    let pending = Math.min((await consumer.info(true)).num_pending, SAMPLE_READ_MAX);
    while (pending > 0) {
      const messages = await consumer.fetch({ max_messages: Math.min(pending, 1000), expires: 3000 });
      let got = 0;
      for await (const m of messages) {
        got++;
        pending--;
        const k = decodeChecked(m, KPI, log);
        if (k && wanted.has(k.ne) && !(Date.parse(k.time) > until)) {
          const held = found.get(k.ne);
          if (!held || held.time <= k.time) found.set(k.ne, k);
        }
        if (m.info.pending === 0) pending = 0;
        if (pending <= 0) break;
      }
      if (got === 0) break;
    }
    return found;
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}
