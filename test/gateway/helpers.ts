/**
 * Gateway test helpers: the streams and buckets the other roles would create, a config with known
 * users and keys, event transitions, and a stand-in processor that answers commands over the real
 * broker (a peer on NATS, never a mock of the client).
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { cadreFrom, loadConfig, type Config } from '../../config/load.js';
import { ensureStreams } from '../../broker/streams.js';
import { hashApiKey, hashPassword } from '../../shared/passwords.js';
import type { Command, EventTransition } from '../../shared/schemas.js';
import { subjects } from '../../shared/subjects.js';
import type { CommandReply, GridDoc } from '../../shared/views.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../gateway/server.js';

const FIXTURE_TOPOLOGY = new URL('../fixtures/topology.json', import.meta.url).pathname;

export const PASSWORD = 'correct horse battery staple';
export const INGEST_KEY = 'ingest-key-0123456789abcdef';

/** Every stream and bucket of the roles, by the roles' own setup (broker/streams.ts), default settings. */
export async function ensureCadreStreams(nc: NatsConnection): Promise<void> {
  await ensureStreams(nc, { cadre: cadreFrom() });
}

/** The fixture topology and an access.yaml with one user per role (and city). */
export async function testConfig(
  access: { anonymousViewer?: boolean; tokenTtl?: string } = {},
): Promise<Config> {
  const dir = mkdtempSync(join(tmpdir(), 'cadre-gw-config-'));
  copyFileSync(FIXTURE_TOPOLOGY, join(dir, 'topology.json'));
  const hash = await hashPassword(PASSWORD);
  const users = [
    { name: 'viewer', role: 'viewer' },
    { name: 'xt-viewer', role: 'viewer', cities: ['XT'] },
    { name: 'xt-dispatcher', role: 'dispatcher', cities: ['XT'] },
    { name: 'hy-dispatcher', role: 'dispatcher', cities: ['HY'] },
    { name: 'admin', role: 'admin' },
  ].map((u) => ({ ...u, passwordHash: hash }));
  const file = {
    users,
    apiKeys: [{ name: 'feeder', keyHash: hashApiKey(INGEST_KEY), role: 'ingest' }],
    anonymousViewer: access.anonymousViewer ?? false,
    tokenTtl: access.tokenTtl ?? '12h',
  };
  writeFileSync(join(dir, 'access.yaml'), JSON.stringify(file));
  return loadConfig(dir);
}

export async function startGateway(
  nc: NatsConnection,
  options: Partial<GatewayOptions> & { config: Config },
): Promise<Gateway> {
  return createGateway({
    nc,
    dataDir: mkdtempSync(join(tmpdir(), 'cadre-gw-data-')),
    logger: false,
    ...options,
  });
}

/** The token `POST /api/login` gives `username` with the tests' password (from `remoteAddress`); throws unless 200. */
export async function loginToken(gw: Gateway, username: string, remoteAddress?: string): Promise<string> {
  const res = await gw.app.inject({
    method: 'POST',
    url: '/api/login',
    payload: { username, password: PASSWORD },
    ...(remoteAddress ? { remoteAddress } : {}),
  });
  if (res.statusCode !== 200) throw new Error(`login of ${username}: ${res.statusCode} ${res.body}`);
  return res.json<{ token: string }>().token;
}

let counter = 0;
/** An event transition with plausible defaults; ids are unique per call unless given. */
export function transition(fields: Partial<EventTransition> = {}): EventTransition {
  const at = fields.at ?? new Date().toISOString();
  return {
    kind: 'event',
    id: fields.id ?? `ev-${process.pid}-${++counter}`,
    seq: 1,
    transition: 'opened',
    grid: 'XT-YH-0003',
    city: 'XT',
    rule: 'outage',
    level: 'orange',
    state: 'open',
    title: 'Site down',
    openedAt: at,
    at,
    ackDeadline: at,
    deadline: at,
    tracking: false,
    escalationStep: 0,
    evidence: { alarms: [], complaints: [], elements: [] },
    ...fields,
  };
}

/** Publishes transitions on CADRE_EVENTS the way the processor does (subject per grid, dedup id). */
export async function publishTransitions(nc: NatsConnection, list: EventTransition[]): Promise<void> {
  const js = jetstream(nc);
  for (const t of list)
    await js.publish(subjects.event(t.city, t.grid), JSON.stringify(t), { msgID: `${t.id}:${t.seq}` });
}

/** Fast path for storms: core publishes into the stream, one flush at the end. */
export async function floodTransitions(nc: NatsConnection, list: EventTransition[]): Promise<void> {
  for (let i = 0; i < list.length; i++) {
    const t = list[i]!;
    nc.publish(subjects.event(t.city, t.grid), JSON.stringify(t));
    if (i % 5000 === 4999) await nc.flush();
  }
  await nc.flush();
}

export async function putEventDoc(nc: NatsConnection, doc: EventTransition): Promise<void> {
  const kv = await new Kvm(nc).open('cadre_events');
  await kv.put(doc.id, JSON.stringify(doc));
}

export async function putGridDoc(nc: NatsConnection, doc: GridDoc): Promise<void> {
  const kv = await new Kvm(nc).open('cadre_grids');
  await kv.put(doc.id, JSON.stringify(doc));
}

/**
 * Plays the processor's part for commands: hears `cadre.in.command.*` on the real broker and answers
 * on `cadre.reply.command.<id>` with what `decide` returns (nothing = stay silent).
 */
export function standInProcessor(
  nc: NatsConnection,
  decide: (command: Command) => CommandReply | undefined,
): { seen: Command[]; stop(): void } {
  const seen: Command[] = [];
  const sub = nc.subscribe('cadre.in.command.*', {
    callback: (_err, m) => {
      const command = m.json<Command>();
      seen.push(command);
      const reply = decide(command);
      if (reply) nc.publish(`cadre.reply.command.${command.id}`, JSON.stringify(reply));
    },
  });
  return { seen, stop: () => sub.unsubscribe() };
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
