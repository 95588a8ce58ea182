/**
 * Who may speak on the broker (issue 12), against a real nats-server loading the shipped users and
 * permissions (deploy/nats-auth.conf): a producer cannot publish a command, a tick or an event; the
 * gateway cannot publish a tick, an event or producer input; every role works end to end as its own
 * user (`cadre start`'s wiring, real HTTP, a real webhook receiver); and a command published directly
 * on NATS — unsigned, or signed with another key — is dead-lettered with its reason and counted,
 * while the gateway's signed command acts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { startApp, type RunningApp } from '../../app/app.js';
import { loadConfig } from '../../config/load.js';
import { startNatsServer, type RunningNatsServer } from '../../broker/nats_server.js';
import { loadOrCreatePasswords, natsAuth, type NatsRole } from '../../broker/nats_auth.js';
import { commandKeysOf, newCommandKey, signInput } from '../../shared/command_signature.js';
import { hashApiKey, hashPassword } from '../../shared/passwords.js';
import { HEADERS, STREAMS, messageId, subjects } from '../../shared/subjects.js';
import type { EventDoc } from '../../shared/views.js';
import { eventually } from '../helpers/app.js';

const PASSWORD = 'permissions-test-password';
const API_KEY = 'permissions-test-ingest-key';
const COMMAND_KEY = newCommandKey();
const passwords = loadOrCreatePasswords(undefined, {});
const savedEnv = { ...process.env };

let server: RunningNatsServer;
let app: RunningApp;
let dir: string;
let token: string;
let receiver: Server;
const notices: { id: string; transition: string }[] = [];
const conns: NatsConnection[] = [];

const as = async (role: NatsRole): Promise<NatsConnection> => {
  const nc = await connect({ servers: server.url, ...natsAuth(role, passwords), reconnect: false });
  conns.push(nc);
  return nc;
};

/** A publish the broker answers (a stream stores it, the API replies) or refuses by permission. */
async function outcome(nc: NatsConnection, subject: string, body = '{}'): Promise<'refused' | 'answered'> {
  try {
    await nc.request(subject, body, { timeout: 3000 });
    return 'answered';
  } catch (err) {
    if (/Permissions Violation/i.test((err as Error).message)) return 'refused';
    throw err;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cadre-permissions-'));
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      notices.push(JSON.parse(body) as (typeof notices)[number]);
      res.writeHead(204).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const { port } = receiver.address() as AddressInfo;
  writeFileSync(
    join(dir, 'topology.json'),
    JSON.stringify({
      cities: [{ id: 'CS', name: '长沙' }],
      grids: [{ id: 'G1', name: '网格1', city: 'CS', subscribers: 5000 }],
      elements: [{ id: 'G1-BTS1', grid: 'G1', kind: 'site' }],
    }),
  );
  writeFileSync(join(dir, 'rules.yaml'), JSON.stringify({ outage: { debounce: '1s' } }));
  writeFileSync(
    join(dir, 'notify.yaml'),
    JSON.stringify({
      subscribers: [
        {
          name: 'on-call',
          channel: 'webhook',
          url: `http://127.0.0.1:${port}/hook`,
          levels: ['red', 'orange'],
        },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'access.yaml'),
    JSON.stringify({
      users: [
        {
          name: 'cs-dispatcher',
          role: 'dispatcher',
          cities: ['CS'],
          passwordHash: await hashPassword(PASSWORD),
        },
      ],
      apiKeys: [{ name: 'omc', keyHash: hashApiKey(API_KEY), role: 'ingest' }],
    }),
  );
  server = await startNatsServer({ auth: { passwords } });
  // Each role of this process connects as its own user (broker/nats_auth.ts reads the environment).
  Object.assign(process.env, passwords);
  app = await startApp({
    env: {
      port: 0,
      host: '127.0.0.1',
      natsUrl: server.url,
      configDir: dir,
      dataDir: mkdtempSync(join(dir, 'data-')),
      commandKey: COMMAND_KEY,
    },
    config: loadConfig(dir),
    roles: new Set(['ingest', 'processor', 'gateway']),
    log: () => {},
  });
  const login = await fetch(`${app.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'cs-dispatcher', password: PASSWORD }),
  });
  token = ((await login.json()) as { token: string }).token;
}, 90_000);

afterAll(async () => {
  for (const nc of conns) await nc.close().catch(() => {});
  await app?.stop();
  await server?.stop();
  receiver?.close();
  for (const name of Object.keys(passwords)) if (savedEnv[name] === undefined) delete process.env[name];
  rmSync(dir, { recursive: true, force: true });
});

const api = async <T>(path: string, body?: unknown): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${app.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
};

const alarm = (id: string, state: 'raised' | 'cleared') => ({
  id,
  ne: 'G1-BTS1',
  severity: 1,
  category: 'fault',
  code: 'SITE_DOWN',
  state,
  time: new Date().toISOString(),
});

describe('who may speak on the broker', () => {
  it('anonymous clients are refused', async () => {
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow(/Authorization/i);
  });

  it('a producer publishes alarms, KPIs and complaints, and cannot publish a command, a tick or an event', async () => {
    const producer = await as('producer');
    const js = jetstream(producer);
    const raised = alarm('perm-a1', 'raised');
    expect((await js.publish(subjects.input('alarm', 'CS'), JSON.stringify(raised))).stream).toBe(
      STREAMS.input.name,
    );
    for (const subject of [
      subjects.input('command', 'CS'),
      subjects.tick('all'),
      subjects.tick('CS'),
      subjects.input('maintenance', 'CS'),
      subjects.event('CS', 'G1'),
      subjects.incident('CS'),
      subjects.dlq('alarm'),
      subjects.notify('webhook'),
      '$KV.cadre_events.x',
      '$JS.API.STREAM.DELETE.CADRE_IN',
      '$JS.API.STREAM.PURGE.CADRE_IN',
    ])
      expect(await outcome(producer, subject), subject).toBe('refused');
    // Nor may it listen to what others are told.
    const sub = producer.subscribe('cadre.reply.command.*');
    expect(String(await sub.closed)).toMatch(/Permissions Violation/i);
  });

  it('the gateway publishes commands and maintenance only: no tick, event, dead letter or producer input', async () => {
    const gateway = await as('gateway');
    for (const subject of [
      subjects.tick('all'),
      subjects.event('CS', 'G1'),
      subjects.incident('CS'),
      subjects.input('alarm', 'CS'),
      subjects.input('kpi', 'CS'),
      subjects.input('complaint', 'CS'),
      subjects.dlq('command'),
      subjects.processorStats('all'),
      '$KV.cadre_events.x',
      '$KV.cadre_grids.G1',
      '$O.cadre_checkpoints.M.x',
      '$JS.API.STREAM.UPDATE.CADRE_IN',
      '$JS.API.STREAM.DELETE.CADRE_EVENTS',
    ])
      expect(await outcome(gateway, subject), subject).toBe('refused');
  });

  it('the other roles keep to their own subjects', async () => {
    const checks: [NatsRole, string][] = [
      ['processor', subjects.input('alarm', 'CS')],
      ['processor', subjects.input('command', 'CS')],
      ['processor', subjects.input('maintenance', 'CS')],
      ['notifier', subjects.event('CS', 'G1')],
      ['notifier', subjects.input('command', 'CS')],
      ['notifier', subjects.tick('all')],
      ['notifier', '$KV.cadre_events.x'],
      ['ingest', subjects.input('command', 'CS')],
      ['ingest', subjects.tick('all')],
      ['ingest', subjects.event('CS', 'G1')],
    ];
    for (const [role, subject] of checks) {
      const nc = await as(role);
      expect(await outcome(nc, subject), `${role} → ${subject}`).toBe('refused');
    }
  });

  it("reads no other role's replies: each subscribes to its own inboxes only", async () => {
    // A subscription the server refuses ends with the permission error (asynchronously).
    const subscribes = async (nc: NatsConnection, subject: string): Promise<'refused' | 'allowed'> => {
      const sub = nc.subscribe(subject);
      const ended = sub.closed.then((err) =>
        err && /Permissions Violation/i.test(err.message) ? 'refused' : 'allowed',
      );
      await nc.flush();
      const result = await Promise.race([
        ended,
        new Promise<'allowed'>((r) => setTimeout(() => r('allowed'), 1000)),
      ]);
      sub.unsubscribe();
      return result;
    };
    const roles: NatsRole[] = ['producer', 'ingest', 'processor', 'gateway', 'notifier'];
    for (const role of roles) {
      const nc = await as(role);
      for (const other of roles.filter((r) => r !== role && r !== 'producer'))
        expect(await subscribes(nc, `_INBOX_${other}.>`), `${role} → _INBOX_${other}`).toBe('refused');
      if (role !== 'producer') {
        expect(await subscribes(nc, '_INBOX.>'), `${role} → _INBOX`).toBe('refused');
        expect(await subscribes(nc, `_INBOX_${role}.>`), `${role} → its own`).toBe('allowed');
        // Requests work: the reply comes back to its own inbox.
        await expect(outcome(nc, '$JS.API.INFO')).resolves.toBe('answered');
      }
    }
  });

  it('end to end under their users: producer input, HTTP ingest, the notifier, and a signed command that acts', async () => {
    const event = await eventually(
      async () => {
        const { body } = await api<{ events: EventDoc[] }>('/api/events?state=active');
        return body.events.find((e) => e.grid === 'G1' && e.rule === 'outage');
      },
      'the outage event from the producer alarm',
      30_000,
    );
    expect(event.evidence.alarms).toContain('perm-a1');
    await eventually(
      async () => notices.find((n) => n.id === event.id && n.transition === 'opened'),
      'the webhook notice of the notifier',
      30_000,
    );

    const ingest = await fetch(`${app.url}/api/ingest/alarms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify([alarm('perm-a2', 'raised')]),
    });
    expect(ingest.status).toBe(202);
    expect(((await ingest.json()) as { accepted: number }).accepted).toBe(1);

    const ack = await api<{ event: EventDoc }>(`/api/events/${event.id}/ack`, {});
    expect(ack.status).toBe(200);
    expect(ack.body.event).toMatchObject({ state: 'acknowledged', transition: 'acknowledged' });
    // What the gateway stored carries its signature.
    const jsm = await jetstreamManager(await as('admin'));
    const stored = await jsm.streams.getMessage(STREAMS.input.name, {
      last_by_subj: subjects.input('command', 'CS'),
    });
    expect(stored!.json<{ by: string; signature: string }>()).toMatchObject({
      by: 'cs-dispatcher',
      signature: expect.stringMatching(/^hmac-sha256:/) as unknown as string,
    });
  });

  it('a command published directly on NATS is dead-lettered with its reason and counted; nothing changes', async () => {
    const { body } = await api<{ events: EventDoc[] }>('/api/events?state=active');
    const event = body.events.find((e) => e.grid === 'G1' && e.rule === 'outage')!;
    const admin = await as('admin');
    const js = jetstream(admin);
    const jsm = await jetstreamManager(admin);
    const forged = (id: string) => ({
      type: 'command',
      id,
      action: 'comment',
      event: event.id,
      by: 'cs-dispatcher',
      time: new Date().toISOString(),
      text: 'forged',
    });
    const unsigned = forged('forged-unsigned');
    const otherKey = signInput(
      'command',
      forged('forged-other-key'),
      commandKeysOf({ key: newCommandKey() })!,
    );
    // Signed by the key, then the principal changed: the signature no longer matches.
    const altered = {
      ...signInput('command', forged('forged-altered'), commandKeysOf({ key: COMMAND_KEY })!),
      by: 'admin',
    };
    const seqs: Record<string, number> = {};
    for (const command of [unsigned, otherKey, altered])
      seqs[command.id] = (
        await js.publish(subjects.input('command', 'CS'), JSON.stringify(command), {
          msgID: messageId('command', command),
        })
      ).seq;

    const letters = await eventually(
      async () => {
        // Each dead letter names its original's sequence in CADRE_IN.
        const info = await jsm.streams.info(STREAMS.dlq.name);
        const found: Record<string, string> = {};
        for (let s = info.state.first_seq; info.state.messages && s <= info.state.last_seq; s++) {
          const letter = await jsm.streams.getMessage(STREAMS.dlq.name, { seq: s }).catch(() => null);
          const id = Object.keys(seqs).find(
            (k) => String(seqs[k]) === letter?.header.get(HEADERS.originalSeq),
          );
          if (id) found[id] = letter!.header.get(HEADERS.rejectCode);
        }
        return Object.keys(found).length === 3 ? found : undefined;
      },
      'three dead letters',
      30_000,
    );
    expect(letters).toEqual({
      'forged-unsigned': 'CADRE_ERR_UNSIGNED_COMMAND',
      'forged-other-key': 'CADRE_ERR_BAD_SIGNATURE',
      'forged-altered': 'CADRE_ERR_BAD_SIGNATURE',
    });

    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/cadre_rejected_total\{type="command",reason="unsigned_command"\} [1-9]/);
    expect(metrics).toMatch(/cadre_rejected_total\{type="command",reason="bad_signature"\} [2-9]/);
    const after = await api<{ event: EventDoc }>(`/api/events/${event.id}`);
    expect(after.body.event.seq).toBe(event.seq);
  });
});
