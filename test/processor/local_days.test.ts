/** The core's scorecard counters split days at the operator's midnight (cadre.yaml `timeZone`). */
import { describe, expect, it } from 'vitest';
import { rulesFrom } from '../../config/load.js';
import { Core } from '../../processor/core/index.js';
import { complaint, continueRun, topology } from './helpers.js';

// T0 is 2026-10-15T01:00Z: minute 899 is 15:59Z (23:59 in Changsha), minute 901 is 16:01Z (00:01 next day).
const LINES = [
  complaint('C1', 899, 'cust-1', 4, 'HY-SG-0005'),
  complaint('C2', 901, 'cust-2', 4, 'HY-SG-0005'),
];

function daysOf(timeZone?: string): Record<string, number> {
  const core = new Core({ rules: rulesFrom({}), topology, clock: 'input', timeZone });
  continueRun({ core, transitions: [], outputs: [] }, LINES, true);
  const days = core.gridDoc('HY-SG-0005').days;
  return Object.fromEntries(Object.entries(days).map(([key, d]) => [key, d.complaints]));
}

describe('scorecard days', () => {
  it('split at local midnight in Asia/Shanghai: 23:59 and 00:01 are two days', () => {
    expect(daysOf('Asia/Shanghai')).toEqual({ '2026-10-15': 1, '2026-10-16': 1 });
  });

  it('in UTC (no timeZone given) the same two complaints are one day', () => {
    expect(daysOf()).toEqual({ '2026-10-15': 2 });
  });

  it('the replay scorecard over the whole span sums the local days', () => {
    const core = new Core({ rules: rulesFrom({}), topology, clock: 'input', timeZone: 'Asia/Shanghai' });
    continueRun({ core, transitions: [], outputs: [] }, LINES, true);
    const line = core.scorecards(Date.parse('2026-10-15T15:59:00Z'), Date.parse('2026-10-15T16:01:00Z'));
    expect(line.find((s) => s.grid === 'HY-SG-0005')?.complaints).toBe(2);
  });
});
