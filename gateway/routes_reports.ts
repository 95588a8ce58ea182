/**
 * `GET /api/reports/:period` (day|week|month) `?date=YYYY-MM-DD&city=&format=json|csv`: the
 * complaint analysis report (contract/report.ts) over the processor's daily counters (GridDoc.days) and
 * the complaints in the input log. `date` defaults to today in cadre.yaml `timeZone`.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { addDays } from '../shared/calendar.js';
import { CadreError } from '../shared/errors.js';
import { buildReport, REPORT_PERIODS, reportDays, type ReportPeriod } from '../contract/report.js';
import { reportCsv } from '../contract/report_csv.js';
import { READERS } from './auth.js';
import { readComplaints } from './complaint_log.js';
import { KEPT_DAYS } from './scorecard.js';
import type { GatewayContext } from './context.js';

export const ReportParams = Type.Object({ period: Type.Union(REPORT_PERIODS.map((p) => Type.Literal(p))) });
export const ReportQuery = Type.Object({
  date: Type.Optional(
    Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'any day of the period, local' }),
  ),
  city: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
});

export async function reportRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const { topology } = ctx.config;
  app.get<{ Params: Static<typeof ReportParams>; Querystring: Static<typeof ReportQuery> }>(
    '/api/reports/:period',
    { schema: { params: ReportParams, querystring: ReportQuery }, preHandler: app.requireRole(...READERS) },
    async (request, reply) => {
      const period = request.params.period as ReportPeriod;
      const { city, format = 'json' } = request.query;
      const today = ctx.calendar.key(ctx.now());
      const date = request.query.date ?? today;
      const parsed = Date.parse(`${date}T00:00:00Z`);
      if (Number.isNaN(parsed) || new Date(parsed).toISOString().slice(0, 10) !== date)
        throw new CadreError('CADRE_ERR_BAD_REQUEST', `date ${date} is no calendar day`);
      if (city && !topology.cities.some((c) => c.id === city))
        throw new CadreError('CADRE_ERR_NOT_FOUND', `No city ${city}`);

      const { from, to, previous } = reportDays(period, date, ctx.calendar);
      const log = await readComplaints(ctx.js, ctx.jsm, topology, {
        from,
        to,
        lateBy: ctx.config.rules.maxAge,
        city,
      });
      const report = buildReport({
        period,
        date,
        city,
        topology,
        calendar: ctx.calendar,
        targets: ctx.config.rules.targets,
        dayOf: (grid, day) => ctx.model.grid(grid)?.days[day],
        complaints: log.complaints,
      });
      if (format === 'csv') {
        const name = `cadre-report-${period}-${report.days[0]}${city ? `-${city}` : ''}.csv`;
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(reportCsv(report, ctx.config.cadre.locale));
      }
      return {
        ...report,
        coverage: {
          // The daily counters reach back KEPT_DAYS from today; a month's previous month may not fit.
          counters: previous[0] >= addDays(today, -(KEPT_DAYS - 1)),
          complaints: log.complete,
        },
      };
    },
  );
}
