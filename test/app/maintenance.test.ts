/**
 * Maintenance windows are signed like commands: the window an admin posts on the gateway is applied
 * (an outage inside it opens nothing), and one published straight on `cadre.in.maintenance.*` —
 * what any client that may publish there could do to silence a city — is dead-lettered unsigned and
 * silences nothing. The whole system in this process (startApp), a real nats-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { hashApiKey, hashPassword } from '../../shared/passwords.js';
import { subjects, STREAMS } from '../../shared/subjects.js';
import type { EventDoc } from '../../shared/views.js';
import { login, startTestApp, type TestApp } from '../helpers/app.js';
import { useNats } from '../helpers/nats.js';
import { waitFor } from '../processor/live_helpers.js';
import { readAll } from '../faults/checker.js';

const KEY = 'maintenance-ingest-key-0123456789';
const nats = useNats();
let stack: TestApp;

beforeAll(async () => {
  stack = await startTestApp({
    natsUrl: nats.url,
    name: 'maintenance',
    files: {
      'rules.yaml': 'outage: {debounce: 1s}\n',
      'access.yaml': {
        users: [{ name: 'admin', role: 'admin', passwordHash: await hashPassword('pw') }],
        apiKeys: [{ name: 'feed', role: 'ingest', keyHash: hashApiKey(KEY) }],
      },
    },
  });
}, 60_000);
afterAll(() => stack?.stop(), 30_000);

const hour = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

describe('maintenance windows', () => {
  it('apply when an admin posted them, and are refused unsigned when anyone else published one', async () => {
    const token = await login(stack.url, 'admin', 'pw');
    const posted = await fetch(`${stack.url}/api/maintenance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'mw-posted',
        grids: ['XT-YH-0003'],
        start: hour(-1),
        end: hour(2),
        reason: 'cutover',
      }),
    });
    expect(posted.status).toBe(202);
    const forged = { id: 'mw-forged', grids: ['HY-ZH-0002'], start: hour(-1), end: hour(2), reason: 'shh' };
    await jetstream(nats.nc).publish(subjects.input('maintenance', 'HY'), JSON.stringify(forged));

    const rejected = await waitFor(
      'the forged window in the DLQ',
      async () => (await readAll(nats.nc, STREAMS.dlq.name)).find((m) => m.text.includes('mw-forged')),
      20_000,
    );
    expect(rejected.text + JSON.stringify(rejected.headers)).toContain('CADRE_ERR_UNSIGNED_COMMAND');

    const outage = (id: string, ne: string) => ({
      id,
      ne,
      severity: 1,
      category: 'fault',
      code: 'SITE_DOWN',
      state: 'raised',
      time: new Date().toISOString(),
    });
    const res = await fetch(`${stack.url}/api/ingest/alarms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify([outage('a-in-window', 'XT-YH-0003-BTS1'), outage('a-forged', 'HY-ZH-0002-BTS1')]),
    });
    expect(res.status).toBe(202);
    const events = async () => {
      const r = await fetch(`${stack.url}/api/events`, { headers: { authorization: `Bearer ${token}` } });
      return ((await r.json()) as { events: EventDoc[] }).events;
    };
    // The forged window silenced nothing: HY's outage opens after its debounce.
    await waitFor(
      'the outage in HY',
      async () => (await events()).some((e) => e.grid === 'HY-ZH-0002'),
      20_000,
    );
    // The posted one did: XT's outage, raised inside it and judged at its end, has opened nothing.
    expect((await events()).some((e) => e.grid === 'XT-YH-0003')).toBe(false);
    // The admin's list holds what the processor applies, without signatures.
    const listed = await fetch(`${stack.url}/api/maintenance`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { windows } = (await listed.json()) as { windows: { id: string; signature?: string }[] };
    expect(windows.map((w) => w.id)).toEqual(['mw-posted']);
    expect(windows[0]!.signature).toBeUndefined();
  }, 60_000);
});
