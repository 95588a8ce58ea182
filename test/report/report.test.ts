/**
 * Reports over a replayed input, figure by figure against values computed by hand below; the day
 * split at Changsha's midnight (16:00 UTC); the CSV as Excel opens it. The input is replayed by
 * `cadre report`'s own path (reportOfReplay) and once by the command itself.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { reportOfReplay } from '../../app/report_cli.js';
import { loadConfig } from '../../config/load.js';
import { reportCsv } from '../../contract/report_csv.js';
import type { Report } from '../../contract/report.js';

const complaint = (
  id: string,
  time: string,
  customer: string,
  grid: string,
  category: string,
  ne?: string,
) => ({
  type: 'complaint',
  id,
  time,
  customer: { id: customer, tier: 4 },
  category,
  ...(ne ? { ne } : { grid }),
});
const alarm = (state: 'raised' | 'cleared', time: string) => ({
  type: 'alarm',
  id: 'A-1',
  ne: 'HY-ZH-0002-BTS1',
  severity: 1,
  category: 'fault',
  code: 'SITE_DOWN',
  state,
  time,
});

// Local day 2026-10-15 in Asia/Shanghai = 2026-10-14T16:00Z … 2026-10-15T16:00Z.
const LINES = [
  complaint('C6', '2026-10-14T15:30:00Z', 'D', 'XT-YT-0010', 'voice'), // 23:30 on the 14th: the day before
  complaint('C8', '2026-10-14T17:00:00Z', 'E', 'XT-YT-0010', 'voice'), // 01:00 on the 15th (UTC: still the 14th)
  complaint('C1', '2026-10-15T01:00:00Z', 'A', 'XT-YH-0003', 'voice'),
  complaint('C2', '2026-10-15T02:00:00Z', 'A', 'XT-YH-0003', 'data'), // A again: a repeat
  complaint('C3', '2026-10-15T02:30:00Z', 'B', 'XT-YH-0003', 'data', 'XT-YH-0003-BTS1'),
  complaint('C4', '2026-10-15T03:00:00Z', 'C', 'HY-SG-0005', 'coverage'),
  complaint('C4', '2026-10-15T03:00:00Z', 'C', 'HY-SG-0005', 'coverage'), // a duplicate: counts once
  alarm('raised', '2026-10-15T04:00:00Z'), // a key grid's site: a red outage…
  alarm('cleared', '2026-10-15T05:00:00Z'), // …cleared within its deadline
  complaint('C7', '2026-10-15T16:30:00Z', 'A', 'XT-YH-0003', 'sms'), // 00:30 on the 16th
];

function configDir(rules = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'cadre-report-'));
  copyFileSync(new URL('../fixtures/topology.json', import.meta.url), join(dir, 'topology.json'));
  writeFileSync(join(dir, 'rules.yaml'), rules || '{}\n');
  return dir;
}

async function report(period: Report['period'], date: string, extra: { city?: string; rules?: string } = {}) {
  const config = loadConfig(configDir(extra.rules));
  const lines = (async function* () {
    for (const l of LINES) yield JSON.stringify(l);
  })();
  return reportOfReplay([{ name: 'in.ndjson', lines }], config, { period, date, city: extra.city });
}

const grid = (r: Report, id: string) => r.grids.find((g) => g.grid === id)!;

describe('the daily report', () => {
  it('counts the local day: 01:00 on the 15th in, 23:30 on the 14th and 00:30 on the 16th out', async () => {
    const r = await report('day', '2026-10-15');
    expect([r.from, r.to]).toEqual(['2026-10-14T16:00:00.000Z', '2026-10-15T16:00:00.000Z']);
    expect(r.totals.complaints).toBe(5); // C1 C2 C3 C4 C8
    expect(grid(r, 'XT-YT-0010')).toMatchObject({
      complaints: 1, // C8 only
      complaintsPer10k: 0.909091, // 1 / 11,000 × 10,000
      previous: { complaints: 1, complaintsPer10k: 0.909091 }, // C6, the 14th
      change: { complaints: 0, complaintsPer10k: 0 },
    });
  });

  it('gives every figure as computed by hand', async () => {
    const r = await report('day', '2026-10-15');
    expect(r.totals).toMatchObject({
      subscribers: 62_000, // 26,000 + 11,000 + 18,000 + 7,000
      complaints: 5,
      complaintsPer10k: 0.806452, // 5 / 62,000 × 10,000
      repeatRate: 0.2, // C2 of 5
      // Two events due: the outage, cleared in time, and XT-YH-0003's complaint event, whose 12 h
      // deadline (an important grid's cap) passed unresolved at 21:00.
      deadlineCompliance: 0.5,
      status: { complaintsPer10k: 'green', repeatRate: 'red', deadlineCompliance: 'red' },
    });
    expect(r.totals.byCategory).toEqual({
      voice: { complaints: 2, per10k: 0.322581 }, // C1 C8: 2 / 62,000 × 10,000
      data: { complaints: 2, per10k: 0.322581 }, // C2 C3
      sms: { complaints: 0, per10k: 0 },
      coverage: { complaints: 1, per10k: 0.16129 }, // C4
      wlan: { complaints: 0, per10k: 0 },
      other: { complaints: 0, per10k: 0 },
    });
    expect(grid(r, 'XT-YH-0003')).toMatchObject({
      name: '雨湖区_湘大',
      complaints: 3,
      complaintsPer10k: 1.153846, // 3 / 26,000 × 10,000
      repeatRate: 0.333333,
      byCategory: { voice: { complaints: 1, per10k: 0.384615 }, data: { complaints: 2, per10k: 0.769231 } },
      deadlineCompliance: 0, // its complaint event's deadline passed unresolved
    });
    expect(grid(r, 'HY-ZH-0002')).toMatchObject({
      complaints: 0,
      complaintsPer10k: 0,
      deadlineCompliance: 1,
    });
    expect(r.cities).toEqual([
      expect.objectContaining({ city: 'XT', name: '湘潭', complaints: 4, complaintsPer10k: 1.081081 }), // 4 / 37,000
      expect.objectContaining({ city: 'HY', name: '衡阳', complaints: 1, complaintsPer10k: 0.4 }), // 1 / 25,000
    ]);
    expect(r.worstGrids.map((g) => [g.grid, g.complaintsPer10k])).toEqual([
      ['HY-SG-0005', 1.428571], // 1 / 7,000
      ['XT-YH-0003', 1.153846],
      ['XT-YT-0010', 0.909091],
    ]);
    expect(r.topRepeatCustomers).toEqual([
      { customer: 'A', complaints: 2, grids: ['XT-YH-0003'], last: '2026-10-15T02:00:00.000Z' },
    ]);
    // C1 and C2 name only their grid; C3 its element: a place of its own.
    expect(r.topRepeatLocations).toEqual([
      { place: 'XT-YH-0003', grid: 'XT-YH-0003', name: '雨湖区_湘大', complaints: 2, customers: 1 },
    ]);
  });

  it('narrows to one city and rates each figure against rules.yaml targets', async () => {
    const r = await report('day', '2026-10-15', { city: 'XT', rules: 'targets: {complaintsPer10k: 1}\n' });
    expect(r.grids.map((g) => g.grid)).toEqual(['XT-YH-0003', 'XT-YT-0010']);
    expect(r.totals.complaints).toBe(4);
    // Green up to the target, amber up to 20 % past it (1.2), red beyond.
    expect(grid(r, 'XT-YH-0003').status.complaintsPer10k).toBe('amber'); // 1.153846
    expect(grid(r, 'XT-YT-0010').status.complaintsPer10k).toBe('green'); // 0.909091
    const hy = await report('day', '2026-10-15', { city: 'HY', rules: 'targets: {complaintsPer10k: 1}\n' });
    expect(grid(hy, 'HY-SG-0005').status.complaintsPer10k).toBe('red'); // 1.428571
  });
});

describe('weekly and monthly reports', () => {
  it('a week runs Monday to Sunday and holds every complaint of the input', async () => {
    const r = await report('week', '2026-10-15'); // a Thursday
    expect(r.days[0]).toBe('2026-10-12');
    expect(r.days).toHaveLength(7);
    expect(r.previousFrom).toBe('2026-10-04T16:00:00.000Z');
    expect(r.totals.complaints).toBe(7);
    expect(r.topRepeatCustomers[0]).toMatchObject({ customer: 'A', complaints: 3 });
  });

  it('a month is the calendar month', async () => {
    const r = await report('month', '2026-10-15');
    expect([r.days[0], r.days.at(-1), r.from, r.to]).toEqual([
      '2026-10-01',
      '2026-10-31',
      '2026-09-30T16:00:00.000Z',
      '2026-10-31T16:00:00.000Z',
    ]);
    expect(r.totals.complaints).toBe(7);
  });
});

describe('CSV', () => {
  it('opens in Excel: BOM, Chinese headers and names, one row for the scope, each city and each grid', async () => {
    const csv = reportCsv(await report('day', '2026-10-15'), 'zh-CN');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const rows = csv
      .slice(1)
      .trimEnd()
      .split('\r\n')
      .map((l) => l.split(','));
    // prettier-ignore
    expect(rows[0]).toEqual([
      '层级', '周期', '开始日期', '城市', '区县', '网格', '名称', '用户数', '投诉量', '万投比',
      '语音万投比', '数据万投比', '短信万投比', '覆盖万投比', 'WLAN万投比', '其他万投比',
      '重复投诉率', '时限达标率', '上期万投比', '万投比变化', '万投比状态', '重复投诉率状态', '时限达标率状态',
    ]);
    expect(rows).toHaveLength(1 + 1 + 2 + 4);
    expect(rows.every((r) => r.length === rows[0]!.length)).toBe(true);
    expect(rows[1]!.slice(0, 3)).toEqual(['合计', '日报', '2026-10-15']);
    const yh = rows.find((r) => r[5] === 'XT-YH-0003')!;
    // prettier-ignore
    expect(yh).toEqual([
      '网格', '日报', '2026-10-15', 'XT', '雨湖区', 'XT-YH-0003', '雨湖区_湘大', '26000', '3', '1.153846',
      '0.384615', '0.769231', '0', '0', '0', '0', '0.333333', '0', '0', '1.153846', 'green', 'red', 'red',
    ]);
    // What Excel reads is these bytes: the BOM, then UTF-8 Chinese.
    expect(Buffer.from(csv, 'utf8').subarray(0, 6)).toEqual(
      Buffer.from([0xef, 0xbb, 0xbf, 0xe5, 0xb1, 0x82]),
    );
  });

  it('is what `cadre report … --format csv` prints', async () => {
    const dir = configDir();
    const input = join(dir, 'in.ndjson');
    writeFileSync(input, LINES.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const { stdout } = await promisify(execFile)(
      'npx',
      [
        'tsx',
        'bin/cadre.ts',
        'report',
        'day',
        '--date',
        '2026-10-15',
        '--format',
        'csv',
        '--config',
        dir,
        input,
      ],
      { encoding: 'utf8' },
    );
    expect(stdout).toBe(reportCsv(await report('day', '2026-10-15'), 'zh-CN'));
  }, 60_000);
});
