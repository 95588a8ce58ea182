/**
 * The HTTP plugins as cadre.yaml configures them: helmet's frame-ancestors for a portal,
 * compression only from `http.compressThreshold`, the login limit's headers, index.html revalidated.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load.js';
import type { Gateway } from '../../gateway/server.js';
import { useNats } from '../helpers/nats.js';
import { ensureCadreStreams, loginToken, PASSWORD, startGateway, testConfig } from './helpers.js';

const nats = useNats();
let gw: Gateway;
let token: string;

beforeAll(async () => {
  await ensureCadreStreams(nats.nc);
  const base = await testConfig();
  const config: Config = {
    ...base,
    cadre: {
      ...base.cadre,
      http: { ...base.cadre.http, frameAncestors: ['https://portal.example'], compressThreshold: 64 * 1024 },
    },
  };
  const uiDir = mkdtempSync(join(tmpdir(), 'cadre-ui-'));
  writeFileSync(join(uiDir, 'index.html'), `<!doctype html><title>cadre</title>${' '.repeat(2000)}`);
  gw = await startGateway(nats.nc, { config, uiDir, loginRateLimit: { max: 5, windowMs: 60_000 } });
  token = await loginToken(gw, 'viewer', '10.9.9.9');
});
afterAll(() => gw?.close());

describe('HTTP plugins from cadre.yaml', () => {
  it('lets the configured portal frame the UI, and nobody else', async () => {
    const res = await gw.app.inject({ url: '/wall' });
    expect(res.headers['content-security-policy']).toContain('frame-ancestors https://portal.example');
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it("compresses no answer below http.compressThreshold; the UI's files, streamed, always", async () => {
    const headers = { 'accept-encoding': 'gzip, br', authorization: `Bearer ${token}` };
    const small = await gw.app.inject({ url: '/api/topology', headers });
    expect(small.statusCode).toBe(200);
    expect(small.headers['content-encoding']).toBeUndefined();
    const page = await gw.app.inject({ url: '/wall', headers });
    expect(page.headers['content-encoding']).toBe('br');
    expect(page.headers['cache-control']).toBe('no-cache');
  });

  it('HEAD of index.html answers its length and no body', async () => {
    const res = await gw.app.inject({ method: 'HEAD', url: '/reports' });
    expect(res.statusCode).toBe(200);
    expect(Number(res.headers['content-length'])).toBeGreaterThan(2000);
    expect(res.body).toBe('');
  });

  it('tells a client where it stands against the login limit', async () => {
    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: 'admin', password: PASSWORD },
      remoteAddress: '10.9.9.9',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBe('5');
    expect(res.headers['x-ratelimit-remaining']).toBe('3'); // the login in beforeAll came first
  });
});
