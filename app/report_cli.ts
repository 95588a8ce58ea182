/**
 * `cadre report day|week|month --date YYYY-MM-DD FILE... [--city ID] [--format json|csv] [--config DIR]`:
 * the complaint analysis report of an offline period. The input files go through `cadre replay`
 * (the same core, deterministic), whose daily counters and complaints make the report exactly as
 * `GET /api/reports/:period` makes it live. Exit 0 with the report on stdout; 1 when a file cannot
 * be read; 2 for bad usage or an invalid config.
 */
import { commandArgs, commandConfig, inputFiles } from '../config/cli.js';
import type { Config } from '../config/load.js';
import { replay, type ReplaySource } from '../processor/replay.js';
import type { Core } from '../processor/core/index.js';
import { DayCalendar } from '../shared/calendar.js';
import {
  buildReport,
  complaintRecord,
  REPORT_PERIODS,
  type ComplaintRecord,
  type Report,
  type ReportPeriod,
} from '../contract/report.js';
import { reportCsv } from '../contract/report_csv.js';

const USAGE =
  'usage: cadre report day|week|month --date YYYY-MM-DD FILE... [--city ID] [--format json|csv] [--config DIR]';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The report of `period` holding `date` over a replay of `sources`; replay's own rejects are dropped. */
export async function reportOfReplay(
  sources: ReplaySource[],
  config: Config,
  query: { period: ReportPeriod; date: string; city?: string },
): Promise<Report> {
  const complaints: ComplaintRecord[] = [];
  let core: Core | undefined;
  await replay(
    sources,
    {
      rules: config.rules,
      topology: config.topology,
      locale: config.cadre.locale,
      timeZone: config.cadre.timeZone,
      inspect: {
        input: (input) => {
          if (input.type === 'complaint') complaints.push(complaintRecord(input.msg, input.grid, input.time));
        },
        end: (c) => (core = c),
      },
    },
    { out: () => {}, err: () => {} },
  );
  return buildReport({
    ...query,
    topology: config.topology,
    calendar: new DayCalendar(config.cadre.timeZone),
    targets: config.rules.targets,
    dayOf: (grid, day) => core?.dayStats(grid, day),
    complaints,
  });
}

export async function main(argv: string[]): Promise<number> {
  const args = commandArgs('report', USAGE, argv, {
    date: { type: 'string' },
    city: { type: 'string' },
    format: { type: 'string', default: 'json' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (typeof args === 'number') return args;
  const { values, positionals } = args;
  const [period, ...files] = positionals;
  const problem = !REPORT_PERIODS.includes(period as ReportPeriod)
    ? 'the period must be day, week or month'
    : !values.date || !DATE.test(values.date)
      ? '--date YYYY-MM-DD is required'
      : files.length === 0
        ? 'no input file'
        : values.format !== 'json' && values.format !== 'csv'
          ? '--format must be json or csv'
          : undefined;
  // A missing date is already a problem; the second test narrows the type.
  if (problem || !values.date) {
    console.error(`cadre report: ${problem}\n${USAGE}`);
    return 2;
  }
  const config = commandConfig('report', values.config);
  if (typeof config === 'number') return config;
  if (values.city && !config.topology.cities.some((c) => c.id === values.city)) {
    console.error(`cadre report: no city ${values.city} in topology.json`);
    return 2;
  }
  const sources = inputFiles('report', files);
  if (typeof sources === 'number') return sources;
  const report = await reportOfReplay(sources, config, {
    period: period as ReportPeriod,
    date: values.date,
    city: values.city,
  });
  process.stdout.write(
    values.format === 'csv' ? reportCsv(report, config.cadre.locale) : `${JSON.stringify(report, null, 2)}\n`,
  );
  return 0;
}
