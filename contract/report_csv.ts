/**
 * A report as CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads Chinese as
 * mojibake), CRLF line ends and RFC 4180 quoting; one row for the scope, one per city, one per grid;
 * headers in cadre.yaml `locale`. Rates are fractions as in the JSON; an empty cell is a figure
 * that does not exist (no complaints, no deadline due).
 */
import type { Locale } from '../shared/titles.js';
import type { Report, ReportFigures } from './report.js';

// prettier-ignore
const COLUMNS = {
  'zh-CN': [
    '层级', '周期', '开始日期', '城市', '区县', '网格', '名称', '用户数', '投诉量', '万投比',
    '语音万投比', '数据万投比', '短信万投比', '覆盖万投比', 'WLAN万投比', '其他万投比',
    '重复投诉率', '时限达标率', '上期万投比', '万投比变化', '万投比状态', '重复投诉率状态', '时限达标率状态',
  ],
  en: [
    'level', 'period', 'from', 'city', 'district', 'grid', 'name', 'subscribers', 'complaints', 'complaints per 10k',
    'voice per 10k', 'data per 10k', 'sms per 10k', 'coverage per 10k', 'wlan per 10k', 'other per 10k',
    'repeat rate', 'deadline compliance', 'previous per 10k', 'change per 10k', 'per 10k status', 'repeat rate status',
    'deadline compliance status',
  ],
} as const;

const LEVELS = {
  'zh-CN': { total: '合计', city: '城市', grid: '网格' },
  en: { total: 'total', city: 'city', grid: 'grid' },
} as const;

const PERIODS = {
  'zh-CN': { day: '日报', week: '周报', month: '月报' },
  en: { day: 'day', week: 'week', month: 'month' },
} as const;

type Cell = string | number | null | undefined;

export function reportCsv(report: Report, locale: Locale): string {
  const level = LEVELS[locale];
  const period = PERIODS[locale][report.period];
  const row = (
    what: string,
    where: { city?: string; district?: string; grid?: string; name?: string },
    f: ReportFigures,
    before?: { previous: number | null; change: number | null },
  ): Cell[] => {
    const c = f.byCategory;
    // prettier-ignore
    return [
      what, period, report.days[0], where.city, where.district, where.grid, where.name,
      f.subscribers, f.complaints, f.complaintsPer10k,
      c.voice.per10k, c.data.per10k, c.sms.per10k, c.coverage.per10k, c.wlan.per10k, c.other.per10k,
      f.repeatRate, f.deadlineCompliance, before?.previous, before?.change,
      f.status.complaintsPer10k, f.status.repeatRate, f.status.deadlineCompliance,
    ];
  };
  const rows: Cell[][] = [
    [...COLUMNS[locale]],
    row(level.total, { city: report.city ?? undefined }, report.totals),
    ...report.cities.map((c) => row(level.city, { city: c.city, name: c.name }, c)),
    ...report.grids.map((g) =>
      row(level.grid, g, g, { previous: g.previous.complaintsPer10k, change: g.change.complaintsPer10k }),
    ),
  ];
  return `\uFEFF${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

function cell(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
