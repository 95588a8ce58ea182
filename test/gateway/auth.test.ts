/**
 * The auth matrix: every route × who is asking × the state of the token, against the real router,
 * with a stand-in processor answering actions over the real broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useNats } from '../helpers/nats.js';
import type { Gateway } from '../../gateway/server.js';
import { loadOrCreateSecret, TokenSigner } from '../../gateway/tokens.js';
import {
  ensureCadreStreams,
  INGEST_KEY,
  loginToken,
  PASSWORD,
  publishTransitions,
  putEventDoc,
  standInProcessor,
  startGateway,
  testConfig,
  transition,
} from './helpers.js';

const nats = useNats();
const event = transition({
  id: 'ev-xt',
  city: 'XT',
  grid: 'XT-YH-0003',
  evidence: { alarms: [], complaints: ['C-1'], elements: [] },
  workOrders: [
    {
      complaint: 'C-1',
      customer: 'k1',
      tier: 3,
      phone4: '1234',
      receivedAt: '2025-03-11T01:00:00.000Z',
      ackDeadline: '2025-03-12T01:00:00.000Z',
      contactDeadline: '2025-03-11T02:00:00.000Z',
    },
  ],
});

type Who = 'anonymous' | 'viewer' | 'xt-dispatcher' | 'hy-dispatcher' | 'admin' | 'ingest';
type Expect = Record<Who, number>;

const READ: Expect = {
  anonymous: 401,
  viewer: 200,
  'xt-dispatcher': 200,
  'hy-dispatcher': 200,
  admin: 200,
  ingest: 403,
};
const ACT: Expect = {
  anonymous: 401,
  viewer: 403,
  'xt-dispatcher': 200,
  'hy-dispatcher': 403,
  admin: 200,
  ingest: 403,
};
const ADMIN: Expect = {
  anonymous: 401,
  viewer: 403,
  'xt-dispatcher': 403,
  'hy-dispatcher': 403,
  admin: 200,
  ingest: 403,
};
const PUBLIC: Expect = {
  anonymous: 200,
  viewer: 200,
  'xt-dispatcher': 200,
  'hy-dispatcher': 200,
  admin: 200,
  ingest: 200,
};
const INGEST: Expect = {
  anonymous: 401,
  viewer: 403,
  'xt-dispatcher': 403,
  'hy-dispatcher': 403,
  admin: 202,
  ingest: 202,
};
const ME: Expect = { ...PUBLIC, anonymous: 401 };

const window = {
  id: 'mw-auth',
  grids: ['XT-YH-0003'],
  start: '2025-03-11T01:00:00Z',
  end: '2025-03-11T02:00:00Z',
  reason: 'test',
};

/** Each route, what it takes, and who may call it. A read is open to anonymous screens when anonymousViewer is on. */
const ROUTES: {
  method: 'GET' | 'POST';
  url: string;
  payload?: object;
  expect: Expect;
  anonymousRead?: boolean;
  /** What a presented but bad credential gets, when not 401 (200 on public routes). */
  badCredential?: number;
}[] = [
  { method: 'GET', url: '/api/events', expect: READ, anonymousRead: true },
  { method: 'GET', url: '/api/events/ev-xt', expect: READ, anonymousRead: true },
  { method: 'GET', url: '/api/grids/XT-YH-0003', expect: READ, anonymousRead: true },
  { method: 'GET', url: '/api/topology', expect: READ, anonymousRead: true },
  { method: 'GET', url: '/api/scorecards?period=P7D', expect: READ, anonymousRead: true },
  // The customer's status page: the phone's last four digits instead of a login; without them, readers only.
  { method: 'GET', url: '/api/complaints/C-1/status?phone4=1234', expect: PUBLIC },
  {
    method: 'GET',
    url: '/api/complaints/C-1/status',
    expect: { ...READ, anonymous: 404, ingest: 404 },
    badCredential: 404,
  },
  {
    method: 'POST',
    url: '/api/complaints/C-1/satisfaction',
    payload: { satisfied: true },
    expect: { ...ACT, ingest: 200 },
  },
  { method: 'POST', url: '/api/events/ev-xt/ack', payload: {}, expect: ACT },
  { method: 'POST', url: '/api/events/ev-xt/assign', payload: { to: 'li.wei' }, expect: ACT },
  { method: 'POST', url: '/api/events/ev-xt/comment', payload: { text: 'on site' }, expect: ACT },
  {
    method: 'POST',
    url: '/api/events/ev-xt/plan',
    payload: { at: '2025-03-12T08:00:00Z', scenario: 'new site' },
    expect: ACT,
  },
  { method: 'POST', url: '/api/events/ev-xt/resolve', payload: { note: 'done' }, expect: ACT },
  { method: 'GET', url: '/api/maintenance', expect: ADMIN },
  { method: 'POST', url: '/api/maintenance', payload: window, expect: { ...ADMIN, admin: 202 } },
  { method: 'POST', url: '/api/ingest/alarms', payload: [], expect: INGEST },
  { method: 'GET', url: '/api/me', expect: ME },
  { method: 'GET', url: '/healthz', expect: PUBLIC },
  { method: 'GET', url: '/metrics', expect: PUBLIC },
];

/** A client address per request: the status page is rate-limited per address, the matrix is not about that. */
let addresses = 0;
const nextAddress = () => `10.1.${(++addresses >> 8) & 255}.${addresses & 255}`;

let closed: Gateway;
let open: Gateway;
const tokens = {} as Record<Who | 'expired' | 'forged' | 'malformed' | 'basic', string | undefined>;
let stopProcessor: () => void;

beforeAll(async () => {
  await ensureCadreStreams(nats.nc);
  await publishTransitions(nats.nc, [event]);
  await putEventDoc(nats.nc, event);
  const dataDir = mkdtempSync(join(tmpdir(), 'cadre-gw-auth-'));
  // The ingest plugin is another role's; a stand-in route shows how it plugs in behind requireRole.
  const register = async (app: Gateway['app']) => {
    app.post('/api/ingest/alarms', { preHandler: app.requireRole('ingest', 'admin') }, async (_req, reply) =>
      reply.code(202).send({ accepted: 0, rejected: [] }),
    );
  };
  closed = await startGateway(nats.nc, {
    config: await testConfig(),
    dataDir,
    register,
    commandTimeoutMs: 2000,
  });
  open = await startGateway(nats.nc, {
    config: await testConfig({ anonymousViewer: true }),
    dataDir,
    register,
    commandTimeoutMs: 2000,
  });
  stopProcessor = standInProcessor(nats.nc, (cmd) => ({
    ok: true,
    event: { ...event, transition: 'commented', by: cmd.by },
  })).stop;

  for (const name of ['viewer', 'xt-dispatcher', 'hy-dispatcher', 'admin'] as const) {
    tokens[name] = await loginToken(closed, name);
  }
  tokens.anonymous = undefined;
  tokens.ingest = INGEST_KEY;
  const signer = new TokenSigner(loadOrCreateSecret(dataDir));
  tokens.expired = signer.sign({
    sub: 'admin',
    role: 'admin',
    cities: [],
    exp: Math.floor(Date.now() / 1000) - 1,
  });
  tokens.forged = new TokenSigner(Buffer.from('not the secret')).sign({
    sub: 'admin',
    role: 'admin',
    cities: [],
    exp: 4102444800,
  });
  tokens.malformed = 'not-a-token-at-all';
  tokens.basic = 'Basic YWRtaW46YWRtaW4=';
});

afterAll(async () => {
  stopProcessor?.();
  await closed?.close();
  await open?.close();
});

function headers(credential: string | undefined): Record<string, string> {
  if (!credential) return {};
  return { authorization: credential.startsWith('Basic ') ? credential : `Bearer ${credential}` };
}

describe('auth matrix', () => {
  const whos: Who[] = ['anonymous', 'viewer', 'xt-dispatcher', 'hy-dispatcher', 'admin', 'ingest'];

  for (const route of ROUTES) {
    it(`${route.method} ${route.url}`, async () => {
      const seen: string[] = [];
      const want: string[] = [];
      for (const [label, gw, anonymousViewer] of [
        ['closed', closed, false],
        ['anonymousViewer', open, true],
      ] as const) {
        // Each request from an address of its own (nextAddress): rate limits are not what this matrix tests.
        const call = (token: string | undefined) =>
          gw.app.inject({
            method: route.method,
            url: route.url,
            payload: route.payload,
            headers: headers(token),
            remoteAddress: nextAddress(),
          });
        for (const who of whos) {
          const res = await call(tokens[who]);
          const expected =
            who === 'anonymous' && anonymousViewer && route.anonymousRead ? 200 : route.expect[who];
          seen.push(`${label} ${who}: ${res.statusCode}`);
          want.push(`${label} ${who}: ${expected}`);
          if (res.statusCode >= 400)
            expect(Object.keys(res.json()).sort()).toEqual(expect.arrayContaining(['error', 'message']));
        }
        // A presented but bad credential is a 401 everywhere but the public routes, even for anonymous-friendly reads.
        for (const bad of ['expired', 'forged', 'malformed', 'basic'] as const) {
          const res = await call(tokens[bad]);
          seen.push(`${label} ${bad}: ${res.statusCode}`);
          want.push(`${label} ${bad}: ${route.badCredential ?? (route.expect === PUBLIC ? 200 : 401)}`);
        }
      }
      expect(seen).toEqual(want);
    });
  }
});

describe('login', () => {
  it('refuses a wrong password and an unknown user alike, and rate-limits per IP', async () => {
    const gw = await startGateway(nats.nc, {
      config: await testConfig(),
      loginRateLimit: { max: 3, windowMs: 60_000 },
    });
    try {
      const attempt = (username: string, password: string, ip = '10.0.0.1') =>
        gw.app.inject({
          method: 'POST',
          url: '/api/login',
          payload: { username, password },
          remoteAddress: ip,
        });
      expect((await attempt('admin', 'wrong')).statusCode).toBe(401);
      expect((await attempt('nobody', PASSWORD)).statusCode).toBe(401);
      const ok = await attempt('admin', PASSWORD);
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ role: 'admin', name: 'admin', cities: [] });
      expect(Date.parse(ok.json().expiresAt)).toBeGreaterThan(Date.now() + 11 * 3_600_000);
      const limited = await attempt('admin', PASSWORD);
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error).toBe('CADRE_ERR_RATE_LIMITED');
      expect((await attempt('admin', PASSWORD, '10.0.0.2')).statusCode).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it('accepts extra users (the demo users of a first start) and keeps the secret file private', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cadre-gw-extra-'));
    const { hashPassword } = await import('../../shared/passwords.js');
    const gw = await startGateway(nats.nc, {
      config: await testConfig(),
      dataDir,
      extraUsers: [
        { name: 'demo', role: 'dispatcher', cities: ['HY'], passwordHash: await hashPassword('demo-pass') },
      ],
    });
    try {
      const res = await gw.app.inject({
        method: 'POST',
        url: '/api/login',
        payload: { username: 'demo', password: 'demo-pass' },
      });
      expect(res.json()).toMatchObject({ role: 'dispatcher', cities: ['HY'] });
      const me = await gw.app.inject({
        url: '/api/me',
        headers: { authorization: `Bearer ${res.json().token}` },
      });
      expect(me.json()).toEqual({ name: 'demo', role: 'dispatcher', cities: ['HY'] });
      const { statSync } = await import('node:fs');
      expect(statSync(join(dataDir, 'secret')).mode & 0o777).toBe(0o600);
      // Same secret, but the user is no longer configured: the token stops working at once.
      const without = await startGateway(nats.nc, { config: await testConfig(), dataDir });
      const revoked = await without.app.inject({
        url: '/api/events',
        headers: { authorization: `Bearer ${res.json().token}` },
      });
      await without.close();
      expect(revoked.statusCode).toBe(401);
      expect(revoked.json().message).toContain('revoked');
    } finally {
      await gw.close();
    }
  });
});
