/** Grids, the topology (cacheable by ETag) and scorecards. */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { CadreError } from '../shared/errors.js';
import { formatTime } from '../shared/time.js';
import { quietGridDoc, type EventDoc } from '../shared/views.js';
import { READERS } from './auth.js';
import type { GatewayContext } from './context.js';
import { KEPT_DAYS, PERIODS, periodDays, type Period, type ScorecardLine } from './scorecard.js';
import { addDays } from '../shared/calendar.js';
import { ROLLUP_LEVELS, rollUp, type RollupLine } from '../contract/rollup.js';
import { scorecardOf, worstFirst } from '../contract/scorecard.js';
import { compositeScore, statuses } from '../contract/targets.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });
const ScorecardQuery = Type.Object({
  period: Type.Optional(Type.Union(Object.keys(PERIODS).map((p) => Type.Literal(p)))),
  city: Type.Optional(Type.String()),
  /** Extension: one grid's line (the grid page). */
  grid: Type.Optional(Type.String()),
  /** Grid lines, or their roll-ups (sums of the grids' counters) per district, city or the province. */
  level: Type.Optional(Type.Union(ROLLUP_LEVELS.map((l) => Type.Literal(l)))),
  /** `worst`: by complaints per 10k; `score`: by the composite score against the targets (the wall's worst ten). */
  sort: Type.Optional(Type.Union([Type.Literal('worst'), Type.Literal('score')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
});
const GRID_HISTORY = 50;

const idOf = (line: ScorecardLine | RollupLine) => ('grid' in line ? line.grid : line.id);

export async function gridRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const { topology } = ctx.config;
  const topologyBody = JSON.stringify({
    cities: topology.cities,
    grids: topology.grids.map(({ id, name, city, district, tier, subscribers, center, polygon }) => ({
      id,
      name,
      city,
      district,
      tier,
      subscribers,
      center,
      polygon,
    })),
  });
  const topologyTag = `"${createHash('sha256').update(topologyBody).digest('base64url').slice(0, 27)}"`;

  app.get('/api/topology', { preHandler: app.requireRole(...READERS) }, async (request, reply) => {
    // Private: the topology is only for authenticated readers; no-cache: revalidate with the ETag.
    reply.header('etag', topologyTag).header('cache-control', 'private, no-cache');
    if (request.headers['if-none-match'] === topologyTag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(topologyBody);
  });

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/grids/:id',
    { schema: { params: IdParams }, preHandler: app.requireRole(...READERS) },
    async (request) => {
      const grid = topology.grid(request.params.id);
      if (!grid) throw new CadreError('CADRE_ERR_NOT_FOUND', `No grid ${request.params.id}`);
      const ofGrid = (e: EventDoc) => e.grid === grid.id;
      return {
        grid: {
          id: grid.id,
          name: grid.name,
          city: grid.city,
          district: grid.district,
          tier: grid.tier,
          subscribers: grid.subscribers,
          center: grid.center,
          polygon: grid.polygon,
        },
        status: ctx.model.grid(grid.id) ?? quietGridDoc(grid.id, grid.city, new Date(0).toISOString()),
        events: [...ctx.model.activeEvents()].filter(ofGrid),
        history: [...ctx.model.endedEvents()]
          .filter(ofGrid)
          .sort((a, b) => (a.at < b.at ? 1 : -1))
          .slice(0, GRID_HISTORY),
      };
    },
  );

  app.get<{ Querystring: Static<typeof ScorecardQuery> }>(
    '/api/scorecards',
    { schema: { querystring: ScorecardQuery }, preHandler: app.requireRole(...READERS) },
    async (request) => {
      const period = (request.query.period ?? 'P7D') as Period;
      const { city, grid, sort, limit, level = 'grid' } = request.query;
      const now = ctx.now();
      const grids = topology.grids.filter((g) => (!city || g.city === city) && (!grid || g.id === grid));
      const { days, from } = periodDays(period, now, ctx.calendar);
      const members = grids.map((g) => ({
        grid: g,
        elements: topology.elementsOf(g.id).length,
        byDay: (key: string) => ctx.model.grid(g.id)?.days[key],
      }));
      const cityName = (id: string) => topology.cities.find((c) => c.id === id)?.name;
      const linesOver = (keys: string[], start: number, end: number): (ScorecardLine | RollupLine)[] =>
        level === 'grid'
          ? members.map((m) => {
              const { kind: _kind, ...line } = scorecardOf(m.grid, m.elements, m.byDay, keys, start, end);
              return line;
            })
          : rollUp(members, level, cityName, keys, start, end);
      const { targets } = ctx.config.rules;
      const scoreOf = (line: ScorecardLine | RollupLine) =>
        compositeScore({ ...line, deadlineCompliance: line.slaMetPct }, targets);
      // The trend is against the period before, while the counters kept (31 days) still hold it.
      const before = days.map((key) => addDays(key, -days.length));
      const previous =
        before[0] >= addDays(days[days.length - 1], -(KEPT_DAYS - 1))
          ? new Map(
              linesOver(before, ctx.calendar.startOf(before[0]), from).map((l) => [idOf(l), scoreOf(l)]),
            )
          : undefined;
      const lines = linesOver(days, from, now).map((line) => {
        const score = scoreOf(line);
        const was = previous?.get(idOf(line));
        return {
          ...line,
          status: statuses({ ...line, deadlineCompliance: line.slaMetPct }, targets),
          score,
          trend: was === undefined ? null : Math.round((score - was) * 1000) / 1000,
        };
      });
      if (sort === 'worst') lines.sort(worstFirst);
      if (sort === 'score') lines.sort((a, b) => b.score - a.score || worstFirst(a, b));
      const scorecards = lines.slice(0, limit ?? lines.length);
      return { period, level, from: formatTime(from), to: formatTime(now), scorecards };
    },
  );
}
