/**
 * What the desk and the wall derive from incidents (ui/src/lib/incidents.ts), as pure functions: the
 * desk's groups (an incident's events folded under it, the rest loose), the order of incidents among
 * events, the wall's counters and deadline tile with an incident counted once.
 */
import { describe, expect, it } from 'vitest';
import {
  byUrgencyOf,
  foldDeadlines,
  foldLevels,
  groupByIncident,
  incidentActive,
  isIncidentId,
} from '../../ui/src/lib/incidents.js';
import type { EventDoc, IncidentTransition, Level } from '../../ui/src/lib/types.js';

const NOW = Date.parse('2026-12-02T03:00:00Z');
const iso = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();

function event(id: string, level: Level, extra: Partial<EventDoc> = {}): EventDoc {
  return {
    id,
    grid: id.split('.')[0]!,
    city: 'CS',
    level,
    state: 'open',
    rule: 'outage',
    ackDeadline: iso(15),
    deadline: iso(240),
    openedAt: iso(-1),
    at: iso(-1),
    ...extra,
  } as EventDoc;
}

function incident(id: string, events: string[], extra: Partial<IncidentTransition> = {}): IncidentTransition {
  return {
    kind: 'incident',
    id,
    seq: 3,
    transition: 'opened',
    city: 'CS',
    level: 'red',
    state: 'open',
    title: '芙蓉区：传输设备 R 故障，影响 2 个网格',
    openedAt: iso(-1),
    at: iso(-1),
    ackDeadline: iso(15),
    deadline: iso(240),
    escalationStep: 0,
    root: { alarms: ['A'], elements: ['R'] },
    grids: events.map((e) => e.split('.')[0]!),
    events,
    cause: 'upstream',
    titleParts: { area: '芙蓉区', grids: events.length, element: { id: 'R', kind: 'transport' } },
    ...extra,
  };
}

describe('incidents on the screens (ui/src/lib/incidents.ts)', () => {
  const inc = incident('CS.incident.20261202T030000', ['G1.e1', 'G2.e1']);
  const events = [
    event('G1.e1', 'red', { incident: inc.id }),
    event('G2.e1', 'red', { incident: inc.id }),
    event('G3.e1', 'yellow', { rule: 'complaint' }),
    // An event of an incident that is over (not in the active list) stays a row of its own.
    event('G4.e1', 'orange', { incident: 'CS.incident.20261201T000000' }),
  ];

  it('tells incident ids from event ids and active incidents from ended ones', () => {
    expect(isIncidentId(inc.id)).toBe(true);
    expect(isIncidentId('CS.incident.20261202T030000-2')).toBe(true);
    expect(isIncidentId('CS-FR-0001.outage.20261202T030000')).toBe(false);
    expect(incidentActive(inc)).toBe(true);
    expect(incidentActive({ state: 'cleared' })).toBe(false);
  });

  it('folds an incident’s events under it; the others stay loose', () => {
    const { groups, loose } = groupByIncident(events, [inc], false);
    expect(groups.map((g) => [g.incident.id, g.events.map((e) => e.id)])).toEqual([
      [inc.id, ['G1.e1', 'G2.e1']],
    ]);
    expect(loose.map((e) => e.id)).toEqual(['G3.e1', 'G4.e1']);
    // The grid whose event holds the root alarm comes first.
    const rooted = [
      events[0]!,
      { ...events[1]!, evidence: { alarms: ['A'], complaints: [], elements: ['R'] } },
    ];
    expect(groupByIncident(rooted, [inc], false).groups[0]!.events.map((e) => e.id)).toEqual([
      'G2.e1',
      'G1.e1',
    ]);
    // Filtered down to none of its events, an incident is hidden; unfiltered it shows, even empty.
    expect(groupByIncident([events[2]!], [inc], true).groups).toEqual([]);
    expect(groupByIncident([], [inc], false).groups).toHaveLength(1);
  });

  it('orders an incident among events by its governing deadline, then level', () => {
    const later = event('G9.e1', 'red', { ackDeadline: iso(30) });
    const sooner = event('G8.e1', 'blue', { ackDeadline: iso(5) });
    const sorted = [later, inc, sooner].sort(byUrgencyOf).map((x) => x.id);
    expect(sorted).toEqual(['G8.e1', inc.id, 'G9.e1']);
  });

  it('counts an incident once on the wall: the tile, its grids, the deadline tile', () => {
    const fold = foldLevels(events, [inc]);
    expect(fold.problems).toEqual({ red: 1, orange: 1, yellow: 1, blue: 0 });
    expect(fold.incidents.red).toBe(1);
    expect(fold.incidentGrids.red).toBe(2);
    const overdue = foldDeadlines(
      events.map((e) => ({ ...e, ackDeadline: iso(-5) })),
      [{ ...inc, ackDeadline: iso(-5) }],
      NOW,
    );
    expect(overdue).toEqual({ ackOverdue: 3, fixOverdue: 0, unacknowledged: 3 });
  });
});
