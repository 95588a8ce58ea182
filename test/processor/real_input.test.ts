/**
 * The core on input it was not tuned on: quiet periods in replay, duplicates written in other time
 * zones, clears without their raise's grid override, late raises, ids of late events, flapping of any
 * alarm, a cutover that failed, a kpi event resolved too early, level lifts late in an event,
 * impossible dates. Each test failed before its fix (issue 9).
 */
import { describe, expect, it } from 'vitest';
import { rulesFrom } from '../../config/load.js';
import { normalize } from '../../contract/normalize.js';
import { replay } from '../../processor/replay.js';
import { Core } from '../../processor/core/index.js';
import { renderTitle } from '../../shared/titles.js';
import type { EventTransition } from '../../shared/schemas.js';
import {
  DAY,
  HOUR,
  cleared,
  command,
  complaint,
  iso,
  kpi,
  of,
  raised,
  run,
  tick,
  toInput,
  topology,
  ndjson,
} from './helpers.js';

type Line = Record<string, unknown>;
const G = 'HY-SG-0005';
const cell = (n: number) => `${G}-CELL${n}`;

/** The same instant written in China's zone instead of UTC. */
function inBeijing(line: Line): Line {
  const ms = Date.parse(line.time as string) + 8 * HOUR;
  return { ...line, time: new Date(ms).toISOString().replace('Z', '+08:00') };
}

async function replayLines(lines: Line[]): Promise<{ out: Record<string, unknown>[]; err: string }> {
  let out = '';
  let err = '';
  async function* source() {
    for (const line of lines) yield JSON.stringify(line);
  }
  await replay(
    [{ name: 'input', lines: source() }],
    { rules: rulesFrom({}), topology, scorecards: true },
    { out: (t) => void (out += t), err: (t) => void (err += t) },
  );
  return {
    out: ndjson(out),
    err,
  };
}

describe('replay: the input is the clock', () => {
  it('replays a month with quiet nights and days without a reject: repeats, planning and scorecards see every input', async () => {
    const minute = (d: number, h: number) => (d * DAY + h * HOUR) / 60_000;
    const lines = [
      complaint('C1', minute(0, 0), 'cust-1', 3, G, { category: 'coverage' }),
      // 10 h later, no input in between: the same customer again is a repeat (one level higher).
      complaint('C2', minute(0, 10), 'cust-1', 3, G, { category: 'coverage' }),
      complaint('C3', minute(12, 3), 'cust-2', 3, G, { category: 'coverage' }),
      complaint('C4', minute(26, 5), 'cust-3', 3, G, { category: 'coverage' }),
    ];
    const { out, err } = await replayLines(lines);
    expect(err).toBe('');
    const events = out.filter((l) => l.kind === 'event') as EventTransition[];
    const complaints = of(events, G, 'complaint');
    expect(complaints.find((t) => t.evidence.complaints.includes('C2'))!.level).toBe('orange');
    expect(of(events, G, 'planning')[0]).toMatchObject({
      transition: 'opened',
      level: 'blue',
      evidence: { complaints: ['C1', 'C2', 'C3'] },
    });
    const card = out.find((l) => l.kind === 'scorecard' && l.grid === G)!;
    expect(card).toMatchObject({ complaints: 4, repeatRate: 0.25 });
  });
});

describe('duplicates by meaning', () => {
  it('an alarm raise re-sent with +08:00 instead of Z opens no second outage, and its clear ends the outage', () => {
    const raise = raised('A1', cell(1), 'CELL_DOWN', 0);
    const r = run([
      raise,
      tick(2),
      inBeijing(raise),
      tick(4),
      cleared('A1', cell(1), 'CELL_DOWN', 10),
      tick(12),
    ]);
    expect(of(r.transitions, G, 'outage').map((t) => t.transition)).toEqual(['opened', 'cleared']);
    expect(r.core.stats().duplicates).toBe(1);
  });

  it('a KPI sample re-sent in another zone is not a second bad sample', () => {
    const sample = kpi(cell(1), 0, { drop_rate: 0.03 });
    const r = run([sample, inBeijing(sample), tick(5)]);
    expect(of(r.transitions, G, 'kpi')).toEqual([]);
  });

  it('a complaint re-sent hours later, and an alarm re-sent across grids, change nothing', () => {
    const c = complaint('C1', 0, 'cust-1', 3, G);
    const raise = raised('A1', cell(1), 'CELL_DOWN', 0);
    const once = run([c, raise, tick(20 * 60)]);
    const again = run([c, raise, tick(6 * 60), c, { ...raise, grid: 'XT-YT-0010' }, tick(20 * 60)]);
    expect(again.transitions).toEqual(once.transitions);
  });
});

describe('alarms across grids and out of order', () => {
  it('a clear without the grid override its raise carried finds its raise', () => {
    const r = run([
      raised('A1', cell(1), 'CELL_DOWN', 0, { grid: 'XT-YT-0010' }),
      tick(2),
      cleared('A1', cell(1), 'CELL_DOWN', 10),
      tick(12),
    ]);
    expect(of(r.transitions, 'XT-YT-0010', 'outage').map((t) => t.transition)).toEqual(['opened', 'cleared']);
    expect(r.core.gridDoc('XT-YT-0010').alarms).toMatchObject([{ id: 'A1', clearedAt: iso(10) }]);
  });

  it('a late raise after its clear escalates and clears at its event times', () => {
    const r = run([
      cleared('A1', cell(1), 'CELL_DOWN', 50),
      tick(55),
      raised('A1', cell(1), 'CELL_DOWN', 0),
      tick(60),
    ]);
    // Orange at 1, its 30-minute first response passed at 31 unacknowledged, cleared at 50.
    expect(of(r.transitions, G, 'outage').map((t) => [t.transition, t.level, t.at])).toEqual([
      ['opened', 'orange', iso(1)],
      ['escalated', 'red', iso(31)],
      ['cleared', 'red', iso(50)],
    ]);
  });

  it('a late event never takes an id already used: ids are unique and seq rises by one', () => {
    const r = run([
      raised('A1', cell(1), 'CELL_DOWN', 0),
      cleared('A1', cell(1), 'CELL_DOWN', 5),
      raised('A2', cell(2), 'CELL_DOWN', 60),
      cleared('A2', cell(2), 'CELL_DOWN', 65),
      tick(70),
      // Raised at 0 too, known only now: it opens an outage at 1, the second of the first one.
      raised('A3', cell(3), 'SITE_DOWN', 0),
      cleared('A3', cell(3), 'SITE_DOWN', 4),
      tick(75),
    ]);
    const t = of(r.transitions, G, 'outage');
    const opened = t.filter((x) => x.transition === 'opened').map((x) => x.id);
    expect(new Set(opened).size).toBe(3);
    expect(opened).toContain(`${G}.outage.20261015T010100-2`);
    for (const id of opened) {
      const seqs = t.filter((x) => x.id === id).map((x) => x.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
  });
});

describe('flapping', () => {
  it('counts any alarm id: a LINK_FLAP five times in 20 minutes is flapping', () => {
    const lines: Line[] = [];
    for (let i = 0; i < 5; i++)
      lines.push(raised('F1', cell(1), 'LINK_FLAP', i * 4), cleared('F1', cell(1), 'LINK_FLAP', i * 4 + 1));
    const t = of(run([...lines, tick(25)]).transitions, G, 'flapping');
    expect(t[0]).toMatchObject({ transition: 'opened', level: 'yellow', at: iso(17) });
  });

  it('counts an element by its down/up cycles: one outage that raised five codes is one cycle', () => {
    const codes = ['CELL_DOWN', 'SITE_DOWN', 'POWER_DOWN', 'TRANSPORT_DOWN', 'CORE_DOWN'];
    const lines: Line[] = [];
    codes.forEach((code, i) => lines.push(raised(`O${i}`, cell(1), code, 0)));
    codes.forEach((code, i) => lines.push(cleared(`O${i}`, cell(1), code, 0.5)));
    expect(of(run([...lines, tick(10)]).transitions, G, 'flapping')).toEqual([]);
    // Five down/up cycles of one element under new alarm ids each time are flapping.
    const cycles: Line[] = [];
    for (let i = 0; i < 5; i++)
      cycles.push(
        raised(`D${i}`, cell(2), 'CELL_DOWN', i * 5),
        cleared(`D${i}`, cell(2), 'CELL_DOWN', i * 5 + 0.5),
      );
    expect(of(run([...cycles, tick(30)]).transitions, G, 'flapping')[0]).toMatchObject({
      transition: 'opened',
    });
  });

  it('does not count cycles inside a maintenance window', () => {
    const window = {
      type: 'maintenance',
      id: 'MW-1',
      elements: [cell(1)],
      start: iso(-1),
      end: iso(60),
      reason: 'cutover',
    };
    const lines: Line[] = [window];
    for (let i = 0; i < 6; i++)
      lines.push(
        raised(`F${i}`, cell(1), 'CELL_DOWN', i * 4),
        cleared(`F${i}`, cell(1), 'CELL_DOWN', i * 4 + 0.5),
      );
    expect(of(run([...lines, tick(90)]).transitions, G, 'flapping')).toEqual([]);
  });
});

describe('maintenance end', () => {
  it('an outage alarm still raised when its window ends opens its outage at the end + debounce', () => {
    const window = {
      type: 'maintenance',
      id: 'MW-1',
      elements: [cell(1)],
      start: iso(-10),
      end: iso(120),
      reason: 'cutover',
    };
    const r = run([window, raised('A1', cell(1), 'SITE_DOWN', 0), tick(100), tick(125)]);
    expect(of(r.transitions, G, 'outage')).toMatchObject([{ transition: 'opened', openedAt: iso(121) }]);
    // Cleared inside its window: nothing.
    const ok = run([
      window,
      raised('A1', cell(1), 'SITE_DOWN', 0),
      cleared('A1', cell(1), 'SITE_DOWN', 110),
      tick(125),
    ]);
    expect(of(ok.transitions, G, 'outage')).toEqual([]);
  });
});

describe('kpi after a resolve by hand', () => {
  it('an element still degraded shows up again within one sample period', () => {
    const bad = { drop_rate: 0.03 };
    const first = run([kpi(cell(1), 0, bad), kpi(cell(1), 15, bad), tick(16)]);
    const id = of(first.transitions, G, 'kpi')[0]!.id;
    const r = run([
      kpi(cell(1), 0, bad),
      kpi(cell(1), 15, bad),
      tick(16),
      command('K1', 'resolve', id, 20),
      kpi(cell(1), 30, bad),
      tick(31),
    ]);
    const t = of(r.transitions, G, 'kpi');
    expect(t.map((x) => x.transition)).toEqual(['opened', 'resolved', 'opened']);
    expect(t[2]!.id).not.toBe(id);
    expect(t[2]!.openedAt).toBe(iso(30));
  });
});

describe('level lifts', () => {
  it('a lift late in an event never sets a first response already past', () => {
    const r = run([
      raised('A1', cell(1), 'CELL_DOWN', 0),
      raised('A2', cell(2), 'CELL_DOWN', 0),
      tick(19),
      raised('A3', cell(3), 'CELL_DOWN', 19), // the third element: red at 20, past opening + red's 15 min
      tick(40),
    ]);
    const t = of(r.transitions, G, 'outage');
    expect(t.map((x) => [x.transition, x.level, x.at, x.ackDeadline])).toEqual([
      ['opened', 'orange', iso(1), iso(31)],
      ['updated', 'red', iso(20), iso(31)], // not escalated on the spot
      ['escalated', 'red', iso(31), iso(31)],
    ]);
  });
});

describe('impossible dates', () => {
  it.each([
    '2026-11-31T08:00:00+08:00',
    '2026-02-30T00:00:00Z',
    '2026-10-15T24:00:00Z',
    '2026-10-15T10:61:00Z',
  ])('%s is rejected with a reason, not shifted to another day', (time) => {
    const n = normalize({ ...raised('A1', cell(1), 'CELL_DOWN', 0), time }, undefined, topology);
    expect(n).toMatchObject({
      ok: false,
      reject: { code: 'CADRE_ERR_TIME_RANGE', reason: expect.stringContaining(time) },
    });
  });

  it('a real leap day is taken', () => {
    const n = normalize(
      { ...raised('A1', cell(1), 'CELL_DOWN', 0), time: '2028-02-29T12:00:00Z' },
      undefined,
      topology,
    );
    expect(n.ok).toBe(true);
  });
});

describe('titles for people in their language', () => {
  it('are zh-CN by default and carry their parts; English when the locale says so', () => {
    const lines = [
      raised('A1', cell(1), 'CELL_DOWN', 0),
      raised('A2', `${G}-BTS1`, 'SITE_DOWN', 0),
      complaint('C1', 2, 'cust-1', 3, G),
      tick(5),
    ];
    const zh = of(run(lines).transitions, G, 'outage').at(-1)!;
    expect(zh.title).toBe('石鼓区_老城：1 个基站、1 个小区退服');
    expect(zh.titleParts).toEqual({
      rule: 'outage',
      grid: '石鼓区_老城',
      count: 2,
      kinds: { site: 1, cell: 1 },
    });
    expect(of(run(lines).transitions, G, 'complaint')[0]!.title).toBe('石鼓区_老城：1 条投诉');
    const core = new Core({ rules: rulesFrom({}), topology, clock: 'input', locale: 'en' });
    const en = lines.flatMap((l) => core.push(toInput(l)).transitions);
    expect(of(en, G, 'outage').at(-1)!.title).toBe('石鼓区_老城: outage, 1 site and 1 cell');
  });

  it.each([
    [
      { rule: 'kpi', grid: 'G', count: 3, kinds: { cell: 3 } },
      'G：3 个小区指标劣化',
      'G: KPI degraded, 3 cells',
    ],
    [
      { rule: 'flapping', grid: 'G', count: 1, kinds: { transport: 1 } },
      'G：1 个传输设备告警频繁闪断',
      'G: flapping, 1 transport element',
    ],
    [{ rule: 'complaint', grid: 'G', count: 1 }, 'G：1 条投诉', 'G: 1 complaint'],
    [
      { rule: 'planning', grid: 'G', count: 3 },
      'G：覆盖投诉反复出现（3 条），需规划',
      'G: recurring coverage complaints (3)',
    ],
    [{ rule: 'outage', grid: 'G', count: 4 }, 'G：4 个网元退服', 'G: outage, 4 elements'],
  ] as const)('%o renders as %s / %s', (parts, zh, en) => {
    expect(renderTitle(parts, 'zh-CN')).toBe(zh);
    expect(renderTitle(parts, 'en')).toBe(en);
  });
});

describe('bounded documents', () => {
  it('a transition shows the first 500 ids of an evidence list and the full counts; a grid document its newest 200 alarms', () => {
    const lines: Line[] = [];
    for (let i = 0; i < 700; i++)
      lines.push(raised(`T${i}`, cell(1 + (i % 3)), 'HIGH_TEMP', i / 1000, { text: 'x'.repeat(4000) }));
    lines.push(complaint('C1', 1, 'cust-1', 3, G), tick(2));
    const r = run(lines);
    const t = of(r.transitions, G, 'complaint').at(-1)!;
    expect(t.evidence.alarms).toHaveLength(500);
    expect(t.evidence.alarms[0]).toBe('T0');
    expect(t.evidenceTotal).toEqual({ alarms: 700, complaints: 1, elements: 3 });
    const doc = r.core.gridDoc(G);
    expect(doc.activeAlarms).toBe(700);
    expect(doc.alarms).toHaveLength(200);
    expect(doc.alarms[0]!.id).toBe('T500');
    expect(doc.alarms.every((a) => a.text!.length === 500)).toBe(true);
  });
});
