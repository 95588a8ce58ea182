/** Incidents (CONTRACT.md "Incidents"): one cause, many grids, on a small district of its own. */
import { describe, expect, it } from 'vitest';
import { rulesFrom } from '../../../config/load.js';
import { Topology, type TopologyFile } from '../../../config/topology.js';
import { normalize } from '../../../contract/normalize.js';
import type { Command, EventTransition, IncidentTransition } from '../../../shared/schemas.js';
import { Core } from '../../../processor/core/index.js';
import type { IncidentState } from '../../../processor/core/incidents.js';
import {
  decideIncident,
  endsWithMember,
  type IncidentBooks,
} from '../../../processor/core/rules/incident.js';
import { decideIncidentCommand } from '../../../processor/core/rules/incident_command.js';
import {
  decideIncidentTimer,
  decideMemberChange,
} from '../../../processor/core/rules/incident_escalation.js';
import type { AlarmState, EventState, GridState } from '../../../processor/core/state.js';
import { rules } from './fixtures.js';

const T0 = Date.parse('2026-10-15T01:00:00Z');
const MIN = 60_000;
const iso = (minute: number) => new Date(T0 + minute * MIN).toISOString();

/**
 * District 芙蓉区 of city CS: grids G1–G4 (G1's transport is the district ring, on the core; the other
 * grids' transport hangs on it) and G5 in 岳麓区 (its own transport on the core); each grid a site
 * with three cells, a transport and power. `links: false`: the same elements with no upstream at all.
 */
function district(links: boolean): Topology {
  const grids = ['G1', 'G2', 'G3', 'G4', 'G5'];
  const file: TopologyFile = {
    cities: [{ id: 'CS', name: '长沙' }],
    grids: grids.map((id) => ({
      id,
      name: `网格${id}`,
      city: 'CS',
      district: id === 'G5' ? '岳麓区' : '芙蓉区',
      tier: 'general' as const,
      subscribers: 5000,
    })),
    elements: [
      { id: 'CORE', grid: 'G1', kind: 'core' as const },
      ...grids.flatMap((g) => {
        const ring = g === 'G4' ? 'G4-TX' : 'G1-TX';
        const up = (ids: string[]) => (links ? { upstream: ids } : {});
        return [
          {
            id: `${g}-TX`,
            grid: g,
            kind: 'transport' as const,
            ...up([g === 'G1' || g === 'G4' ? 'CORE' : ring]),
          },
          { id: `${g}-PWR`, grid: g, kind: 'power' as const },
          { id: `${g}-BTS1`, grid: g, kind: 'site' as const, ...up([`${g}-TX`, `${g}-PWR`]) },
          ...[1, 2, 3].map((c) => ({
            id: `${g}-CELL${c}`,
            grid: g,
            kind: 'cell' as const,
            ...up([`${g}-BTS1`]),
          })),
        ];
      }),
    ],
  };
  return new Topology(file);
}

type Line = Record<string, unknown>;
const alarm = (id: string, ne: string, code: string, state: 'raised' | 'cleared', minute: number): Line => ({
  type: 'alarm',
  id,
  ne,
  severity: 1,
  category: 'fault',
  code,
  state,
  time: iso(minute),
});
const tick = (minute: number): Line => ({ type: 'tick', time: iso(minute) });
const command = (id: string, action: string, event: string, minute: number, extra: Line = {}): Line => ({
  type: 'command',
  id,
  action,
  event,
  by: 'disp-1',
  time: iso(minute),
  ...extra,
});

/**
 * The ring breaks at minute 0: its transport, then the transport, site and cells of G1–G3 (as the
 * simulator's storm does; G4, on the ring too, keeps its service through another path in this test).
 */
function ringFailure(): Line[] {
  const lines = [alarm('R', 'G1-TX', 'TRANSPORT_DOWN', 'raised', 0)];
  for (const g of ['G2', 'G3']) lines.push(alarm(`${g}-T`, `${g}-TX`, 'TRANSPORT_DOWN', 'raised', 0.05));
  for (const g of ['G1', 'G2', 'G3']) {
    lines.push(alarm(`${g}-S`, `${g}-BTS1`, 'SITE_DOWN', 'raised', 0.1));
    for (const c of [1, 2, 3]) lines.push(alarm(`${g}-C${c}`, `${g}-CELL${c}`, 'CELL_DOWN', 'raised', 0.2));
  }
  return lines;
}

function run(topology: Topology, lines: Line[], rules: Record<string, unknown> = {}) {
  const core = new Core({ rules: rulesFrom(rules), topology, clock: 'input' });
  const events: EventTransition[] = [];
  const incidents: IncidentTransition[] = [];
  const replies: unknown[] = [];
  const take = (o: ReturnType<Core['push']>) => {
    events.push(...o.transitions);
    incidents.push(...o.incidents);
    replies.push(...o.replies.map((r) => r.reply));
  };
  for (const line of lines) {
    const n = normalize(line, undefined, topology);
    if (!n.ok) throw new Error(n.reject.reason);
    take(core.push(n.input));
  }
  take(core.flush());
  return { core, events, incidents, replies };
}

describe('incident: the decision for an outage alarm counted into an outage event', () => {
  const event = (id: string, grid: string, extra: Partial<EventState> = {}) =>
    ({
      id,
      grid,
      level: 'orange',
      openedAt: 0,
      ackDeadline: 30 * MIN,
      deadline: 4 * 60 * MIN,
      alarms: new Set([`${id}-A`]),
      ...extra,
    }) as EventState;
  const outage = (ne: string, code = 'SITE_DOWN') => ({ id: 'A1', ne, code, outage: true }) as AlarmState;
  const incident = (extra: Partial<IncidentState> = {}) =>
    ({ id: 'I1', state: 'open', openedAt: 0, events: new Set<string>(), ...extra }) as IncidentState;
  /** The books of one district, with `down` elements out and the other events `active`. */
  function books(
    links: boolean,
    {
      down = [] as string[],
      active = [] as EventState[],
      waiting = {},
      incidents = [] as IncidentState[],
      keys = {},
    } = {},
  ): IncidentBooks {
    const topology = district(links);
    const grids = new Map<string, GridState>();
    for (const ne of down) {
      const grid = topology.element(ne)?.grid ?? 'G1';
      const g = grids.get(grid) ?? ({ alarms: new Map() } as GridState);
      g.alarms.set(`${ne}-down`, { ...outage(ne), id: `${ne}-down` });
      grids.set(grid, g);
    }
    return {
      ctx: { topology },
      gridInfo: (id) => {
        const g = topology.grid(id);
        if (!g) throw new Error(`no grid ${id}`);
        return g;
      },
      grids,
      active: new Map(active.map((e) => [e.id, e])),
      incidents: new Map(incidents.map((i) => [i.id, i])),
      incidentKeys: new Map(Object.entries(keys)),
      waitingByKey: new Map(Object.entries(waiting)),
      outageDown: new Map(down.map((ne) => [ne, 1])),
    };
  }
  const inc = incident({ element: { id: 'G1-TX', kind: 'transport' } });
  const other = event('E2', 'G2');
  it.each([
    [
      "an alarm of its incident's root",
      event('E1', 'G1', { incident: 'I1' }),
      outage('G1-TX'),
      books(true, { incidents: [inc] }),
      'root',
      'root-alarm',
    ],
    [
      'another alarm of an event in an incident',
      event('E1', 'G1', { incident: 'I1' }),
      outage('G1-BTS1'),
      books(true, { incidents: [inc] }),
      'none',
      'in-incident',
    ],
    [
      'the first grid of a cause',
      event('E1', 'G1'),
      outage('G1-BTS1'),
      books(true, { down: ['G1-TX'] }),
      'wait',
      'too-few-grids',
    ],
    [
      'a cause with an active incident',
      event('E1', 'G1'),
      outage('G1-BTS1'),
      books(true, { down: ['G1-TX'], incidents: [inc], keys: { 'upstream:G1-TX': 'I1' } }),
      'join',
      'same-cause',
    ],
    [
      'a second grid of a cause',
      event('E1', 'G1'),
      outage('G1-BTS1'),
      books(true, { down: ['G1-TX'], active: [other], waiting: { 'upstream:G1-TX': ['E2'] } }),
      'open',
      'upstream',
    ],
    [
      'a second grid, the other event ended',
      event('E1', 'G1'),
      outage('G1-BTS1'),
      books(true, { down: ['G1-TX'], waiting: { 'upstream:G1-TX': ['E2'] } }),
      'wait',
      'too-few-grids',
    ],
    [
      'without links, a second grid of a code in the district',
      event('E1', 'G1'),
      outage('G1-BTS1'),
      books(false, { active: [other], waiting: { 'district:CS/芙蓉区/SITE_DOWN': ['E2'] } }),
      'open',
      'district',
    ],
    [
      'without links, past the window',
      event('E1', 'G1'),
      outage('G1-BTS1'),
      books(false, { active: [other], waiting: { 'district:CS/芙蓉区/SITE_DOWN': ['E2'] } }),
      'wait',
      'too-few-grids',
      10 * MIN,
    ],
    [
      'without links, an incident past its window',
      event('E1', 'G1'),
      outage('G1-BTS1'),
      books(false, { incidents: [inc], keys: { 'district:CS/芙蓉区/SITE_DOWN': 'I1' } }),
      'wait',
      'too-few-grids',
      10 * MIN,
    ],
  ] as const)('%s', (_name, ev, alarm, b, kind, reason, at = MIN) => {
    expect(decideIncident(rules.incidents, b, ev, alarm, at)).toMatchObject({ kind, reason });
  });

  it('opens at the worst level and soonest deadlines of its events, rooted at the element with its alarms', () => {
    const b = books(true, {
      down: ['G1-TX'],
      active: [event('E2', 'G2', { level: 'red', ackDeadline: 15 * MIN })],
      waiting: { 'upstream:G1-TX': ['E2'] },
    });
    expect(decideIncident(rules.incidents, b, event('E1', 'G1'), outage('G1-BTS1'), MIN)).toMatchObject({
      key: 'upstream:G1-TX',
      city: 'CS',
      area: '芙蓉区',
      element: { id: 'G1-TX', kind: 'transport' },
      level: 'red',
      ackDeadline: 15 * MIN,
      deadline: 4 * 60 * MIN,
      rootAlarms: ['G1-TX-down'],
    });
  });

  it.each([
    ['first response due', 'incidentAck', {}, 'escalate', 'ack-overdue'],
    ['first response, acknowledged', 'incidentAck', { state: 'acknowledged' }, 'none', 'stale'],
    ['first response moved since', 'incidentAck', { ackDeadline: 50 }, 'none', 'stale'],
    [
      'deadline due, acknowledged',
      'incidentDeadline',
      { state: 'acknowledged' },
      'escalate',
      'deadline-overdue',
    ],
    ['deadline escalated before', 'incidentDeadline', { deadlineEscalated: true }, 'none', 'stale'],
    ['over', 'incidentDeadline', { state: 'cleared' }, 'none', 'stale'],
  ] as const)('timer: %s', (_name, timer, extra, kind, reason) => {
    const i = incident({
      ackDeadline: 100,
      deadline: 100,
      ackEscalated: false,
      deadlineEscalated: false,
      ...extra,
    });
    expect(decideIncidentTimer(i, timer, 100)).toEqual({ kind, reason });
  });

  it.each([
    [
      'a member no more urgent',
      { level: 'orange', ackDeadline: 200, deadline: 300 },
      { kind: 'none', reason: 'unchanged' },
    ],
    [
      'a member lifted to red',
      { level: 'red', ackDeadline: 200, deadline: 300 },
      { kind: 'update', reason: 'member-changed', level: 'red', ackDeadline: undefined, deadline: undefined },
    ],
    [
      'a member due sooner, one of them past',
      { level: 'orange', ackDeadline: 50, deadline: 250 },
      { kind: 'update', reason: 'member-changed', level: undefined, ackDeadline: 100, deadline: 250 },
    ],
  ] as const)('member change: %s', (_name, member, decision) => {
    const i = incident({
      level: 'orange',
      ackDeadline: 200,
      deadline: 300,
      ackEscalated: false,
      deadlineEscalated: false,
    });
    expect(decideMemberChange(i, event('E1', 'G1', member), 100)).toEqual(decision);
  });

  it.each([
    ['grouped by district, its last event ended', 'district', [], true],
    ['grouped by district, an event still active', 'district', [event('E2', 'G2')], false],
    ['rooted upstream', 'upstream', [], false],
  ] as const)('a member ended: %s', (_name, cause, active, ends) => {
    const i = incident({ cause, events: new Set(['E1', 'E2']) });
    expect(endsWithMember(i, new Map(active.map((e) => [e.id, e])))).toBe(ends);
  });

  const cmd = (action: Command['action'], extra: Partial<Command> = {}): Command => ({
    type: 'command',
    id: 'K1',
    action,
    event: 'I1',
    by: 'disp-1',
    time: iso(0),
    ...extra,
  });
  const grids = new Map([['G1', { alarms: new Map([['E1-A', outage('G1-BTS1')]]) } as GridState]]);
  it.each([
    ['ack', incident(), cmd('ack'), [], 'ack', 'acknowledged'],
    ['ack of an incident over', incident({ state: 'resolved' }), cmd('ack'), [], 'refuse', 'ended'],
    ['defer', incident(), cmd('defer', { reason: 'few-affected' }), [], 'refuse', 'not-for-incidents'],
    ['assign without `to`', incident(), cmd('assign'), [], 'refuse', 'missing-field'],
    ['comment', incident(), cmd('comment', { text: 'x' }), [], 'comment', 'commented'],
    ['resolve, evidence active', incident(), cmd('resolve'), [event('E1', 'G1')], 'refuse', 'uncleared'],
    ['resolve, evidence cleared', incident(), cmd('resolve'), [event('E2', 'G2')], 'resolve', 'cleared'],
  ] as const)('command: %s', (_name, i, msg, members, kind, reason) => {
    expect(decideIncidentCommand(i, msg, members, grids)).toMatchObject({ kind, reason });
  });
});

describe('incidents', () => {
  it('a ring failure with upstream links is one incident with every affected grid, rooted at the ring', () => {
    const r = run(district(true), [...ringFailure(), tick(2)]);
    const opened = r.incidents.filter((i) => i.transition === 'opened');
    expect(opened).toHaveLength(1);
    const last = r.incidents.at(-1)!;
    expect(last).toMatchObject({
      id: 'CS.incident.20261015T010103',
      cause: 'upstream',
      root: { elements: ['G1-TX'], alarms: ['R'] },
      level: 'red',
      title: '芙蓉区：传输设备 G1-TX 故障，影响 3 个网格',
    });
    expect(last.grids.sort()).toEqual(['G1', 'G2', 'G3']);
    // Every grid keeps its own outage event, which names the incident.
    const outages = r.events.filter((e) => e.rule === 'outage');
    expect(new Set(outages.map((e) => e.grid))).toEqual(new Set(['G1', 'G2', 'G3']));
    for (const g of ['G1', 'G2', 'G3'])
      expect(outages.filter((e) => e.grid === g).at(-1)!.incident).toBe(last.id);
    expect(new Set(last.events)).toEqual(new Set(outages.map((e) => e.id)));
  });

  it('without links, outages of one code in one district within the window are one incident', () => {
    const r = run(district(false), [
      alarm('A1', 'G1-BTS1', 'SITE_DOWN', 'raised', 0),
      alarm('A2', 'G2-BTS1', 'SITE_DOWN', 'raised', 2),
      alarm('A3', 'G3-BTS1', 'SITE_DOWN', 'raised', 9), // past the 5-minute window of the first
      alarm('A4', 'G4-BTS1', 'CELL_DOWN', 'raised', 1), // another code
      alarm('A5', 'G5-BTS1', 'SITE_DOWN', 'raised', 1), // another district
      tick(12),
    ]);
    const last = r.incidents.at(-1)!;
    expect(r.incidents.filter((i) => i.transition === 'opened')).toHaveLength(1);
    expect(last).toMatchObject({
      cause: 'district',
      grids: ['G1', 'G2'],
      root: { elements: [], alarms: ['A1', 'A2'] },
    });
    expect(last.title).toBe('芙蓉区：SITE_DOWN 同时影响 2 个网格');
    expect(
      r.events.filter((e) => e.grid === 'G3' || e.grid === 'G4').every((e) => e.incident === undefined),
    ).toBe(true);
  });

  it('an unrelated outage in the same district at the same time stays out when links say so', () => {
    const r = run(district(true), [
      ...ringFailure(),
      // G3's power fails too: its site is down for that reason as well, but the power feeds no other grid.
      alarm('P3', 'G3-PWR', 'POWER_DOWN', 'raised', 0.5),
      // A cell of G4, on the same ring, at the same time — but its site and transport are up: its own fault.
      alarm('X', 'G4-CELL1', 'CELL_DOWN', 'raised', 0.5),
      tick(3),
    ]);
    const last = r.incidents.at(-1)!;
    expect(last.grids.sort()).toEqual(['G1', 'G2', 'G3']);
    expect(r.events.filter((e) => e.grid === 'G4').every((e) => e.incident === undefined)).toBe(true);
  });

  it('clears when its root alarms clear; the grids clear on their own', () => {
    const lines = ringFailure();
    const clears = lines.map((l) => ({ ...l, state: 'cleared', time: iso(30) }));
    const r = run(district(true), [...lines, tick(2), ...clears, tick(31)]);
    expect(r.incidents.at(-1)).toMatchObject({ transition: 'cleared', state: 'cleared', at: iso(30) });
    const outages = r.events.filter((e) => e.rule === 'outage');
    for (const g of ['G1', 'G2', 'G3'])
      expect(outages.filter((e) => e.grid === g).at(-1)!.transition).toBe('cleared');
  });

  it('escalates once as one incident, its events with it, not each on its own deadline', () => {
    const r = run(district(true), [...ringFailure(), tick(40)]);
    const escalated = r.incidents.filter((i) => i.transition === 'escalated');
    expect(escalated).toHaveLength(1);
    // Red since the cells' debounce at 01:01:12 (elements out): a 15-minute first response, the soonest of its events'.
    expect(escalated[0]).toMatchObject({ escalationStep: 1, at: '2026-10-15T01:16:12.000Z' });
    const perEvent = r.events.filter((e) => e.transition === 'escalated');
    expect(perEvent.map((e) => e.grid).sort()).toEqual(['G1', 'G2', 'G3']);
    expect(new Set(perEvent.map((e) => e.at))).toEqual(new Set([escalated[0]!.at]));
  });

  it('one command acts on the incident and every event in it', () => {
    const id = 'CS.incident.20261015T010103';
    const r = run(district(true), [
      ...ringFailure(),
      tick(2),
      command('K1', 'ack', id, 3),
      command('K2', 'resolve', id, 4),
      tick(5),
    ]);
    expect(r.replies[0]).toMatchObject({ ok: true, incident: { id, state: 'acknowledged' } });
    expect(r.replies[1]).toMatchObject({ ok: false, code: 'CADRE_ERR_CONFLICT' });
    const acks = r.events.filter((e) => e.transition === 'acknowledged');
    expect(acks.map((e) => [e.grid, e.by]).sort()).toEqual([
      ['G1', 'disp-1'],
      ['G2', 'disp-1'],
      ['G3', 'disp-1'],
    ]);
    expect(r.incidents.at(-1)).toMatchObject({ transition: 'acknowledged', by: 'disp-1' });
  });

  it('is the same after a snapshot and restore at any point', () => {
    const topology = district(true);
    const lines = [
      ...ringFailure(),
      tick(2),
      tick(20),
      ...ringFailure().map((l) => ({ ...l, state: 'cleared', time: iso(30) })),
      tick(31),
    ];
    const whole = run(topology, lines);
    for (const cut of [3, 12, 17, 20]) {
      const first = run(topology, lines.slice(0, cut));
      const restored = new Core(
        { rules: rulesFrom({}), topology, clock: 'input' },
        JSON.parse(JSON.stringify(first.core.snapshot())),
      );
      const rest: IncidentTransition[] = [];
      for (const line of lines.slice(cut)) {
        const n = normalize(line, undefined, topology);
        if (n.ok) rest.push(...restored.push(n.input).incidents);
      }
      rest.push(...restored.flush().incidents);
      const before = run(topology, lines.slice(0, cut)).incidents.length;
      expect(JSON.stringify(rest)).toBe(JSON.stringify(whole.incidents.slice(before)));
    }
  });
});
