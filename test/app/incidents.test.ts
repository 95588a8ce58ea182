/**
 * Incidents on the real stack (a nats-server, ingest + processor + gateway + notifier as `cadre
 * start` wires them, real HTTP, a real Socket.IO client, a real webhook receiver): a district's ring
 * breaks; one incident with its three grids appears over REST and on a screen, a subscriber hears of
 * it once (not once per grid), and one acknowledgement of the incident reaches every grid's event.
 */
import { describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { io as connectIo, type Socket } from 'socket.io-client';
import type { Alarm, EventTransition, IncidentTransition } from '../../shared/schemas.js';
import { messageId, subjects } from '../../shared/subjects.js';
import type { EventDoc } from '../../shared/views.js';
import { dispatcher, eventually, useTestApp } from '../helpers/app.js';
import { useNats } from '../helpers/nats.js';

const PASSWORD = 'incident-test-password';
const GRIDS = ['G1', 'G2', 'G3'];

const nats = useNats();
const cadre = useTestApp<{ kind: string; id: string; transition: string }>({
  nats,
  name: 'incidents',
  files: async (receiverUrl) => ({
    'topology.json': topology(),
    // A short debounce: the test waits seconds, not minutes.
    'rules.yaml': { outage: { debounce: '1s' } },
    'notify.yaml': {
      subscribers: [
        {
          name: 'on-call',
          channel: 'webhook',
          url: `${receiverUrl}/hook`,
          levels: ['red', 'orange'],
        },
      ],
    },
    'access.yaml': { users: [await dispatcher('cs-dispatcher', ['CS'], PASSWORD)] },
  }),
  login: { username: 'cs-dispatcher', password: PASSWORD },
});

/** Three grids of one district; G1's transport is the ring the others' transport hangs on. */
function topology() {
  return {
    cities: [{ id: 'CS', name: '长沙' }],
    grids: GRIDS.map((id) => ({ id, name: `网格${id}`, city: 'CS', district: '芙蓉区', subscribers: 5000 })),
    elements: [
      { id: 'CORE', grid: 'G1', kind: 'core' },
      ...GRIDS.flatMap((g) => [
        { id: `${g}-TX`, grid: g, kind: 'transport', upstream: [g === 'G1' ? 'CORE' : 'G1-TX'] },
        { id: `${g}-PWR`, grid: g, kind: 'power' },
        { id: `${g}-BTS1`, grid: g, kind: 'site', upstream: [`${g}-TX`, `${g}-PWR`] },
      ]),
    ],
  };
}

const get = async <T>(path: string): Promise<T> =>
  (await (
    await fetch(`${cadre.stack.url}${path}`, { headers: { authorization: `Bearer ${cadre.token}` } })
  ).json()) as T;

describe('incidents on the real stack', () => {
  it('one incident for a ring failure: over REST, on a screen, told once, acknowledged in one action', async () => {
    const screen: Socket = connectIo(`${cadre.stack.url}/live`, {
      auth: { token: cadre.token },
      transports: ['websocket'],
      reconnection: false,
    });
    const pushed: (EventTransition | IncidentTransition)[] = [];
    screen.on('events', (batch: (EventTransition | IncidentTransition)[]) => pushed.push(...batch));
    await new Promise((resolve) => screen.once('snapshot', resolve));

    // Every alarm of the failure at one instant, as an NMS reports a cut: their debounces end together.
    const time = new Date().toISOString();
    const js = jetstream(nats.nc);
    const raise = (id: string, ne: string, code: string) => {
      const alarm: Alarm = { id, ne, code, severity: 1, category: 'fault', state: 'raised', time };
      return js.publish(subjects.input('alarm', 'CS'), JSON.stringify(alarm), {
        msgID: messageId('alarm', alarm),
      });
    };
    await raise('RING', 'G1-TX', 'TRANSPORT_DOWN');
    for (const g of ['G2', 'G3']) await raise(`${g}-T`, `${g}-TX`, 'TRANSPORT_DOWN');
    for (const g of GRIDS) await raise(`${g}-S`, `${g}-BTS1`, 'SITE_DOWN');

    const { incidents } = await eventually(async () => {
      const r = await get<{ incidents: IncidentTransition[] }>('/api/incidents');
      return r.incidents.length && r.incidents[0]!.grids.length === 3 ? r : undefined;
    }, 'the incident');
    expect(incidents).toHaveLength(1);
    const incident = incidents[0]!;
    expect(incident).toMatchObject({ cause: 'upstream', root: { elements: ['G1-TX'], alarms: ['RING'] } });
    expect(incident.grids.sort()).toEqual(GRIDS);

    await eventually(
      () => (pushed.some((t) => t.kind === 'incident' && t.id === incident.id) ? true : undefined),
      'the screen',
    );
    const one = await get<{ incident: IncidentTransition; events: EventDoc[] }>(
      `/api/incidents/${incident.id}`,
    );
    expect(one.events.map((e) => e.grid).sort()).toEqual(GRIDS);
    expect(one.events.every((e) => e.incident === incident.id)).toBe(true);

    await eventually(() => (cadre.received.length ? true : undefined), 'the notice');
    await new Promise((r) => setTimeout(r, 1000));
    expect(cadre.received.map((n) => [n.kind, n.id, n.transition])).toEqual([
      ['incident', incident.id, 'opened'],
    ]);

    const ack = await fetch(`${cadre.stack.url}/api/incidents/${incident.id}/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cadre.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(ack.status).toBe(200);
    expect(((await ack.json()) as { incident: IncidentTransition }).incident.state).toBe('acknowledged');
    const acked = await eventually(async () => {
      const { events } = await get<{ events: EventDoc[] }>('/api/events?rule=outage');
      return events.length === 3 && events.every((e) => e.state === 'acknowledged') ? events : undefined;
    }, 'every grid acknowledged');
    expect(acked.every((e) => e.by === 'cs-dispatcher')).toBe(true);
    screen.close();
  }, 60_000);
});
