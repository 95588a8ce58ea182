/**
 * The notifier as `cadre start` runs it: processor and gateway in one process (startApp), a media
 * complaint published on NATS as a producer would, and the red event it opens arrives at a webhook.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { startApp, type RunningApp } from '../../app/app.js';
import { messageId, subjects } from '../../shared/subjects.js';
import type { EventTransition } from '../../shared/schemas.js';
import { useNats } from '../helpers/nats.js';
import { notifyConfig, startReceiver, until, type Receiver } from './helpers.js';

const nats = useNats();
const dataDir = mkdtempSync(join(tmpdir(), 'cadre-notify-app-'));
let app: RunningApp | undefined;
let hook: Receiver | undefined;

afterAll(async () => {
  await app?.stop();
  await hook?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('a red event opened by the processor reaches the webhook subscriber of the gateway role', async () => {
  hook = await startReceiver();
  const config = notifyConfig({ subscribers: [{ name: 'work orders', channel: 'webhook', url: hook.url }] });
  app = await startApp({
    env: { port: 0, host: '127.0.0.1', natsUrl: nats.url, configDir: config.dir, dataDir },
    config,
    roles: new Set(['processor', 'gateway']),
    log: () => {},
  });
  const complaint = {
    type: 'complaint',
    id: 'CRM-media-1',
    time: new Date().toISOString(),
    customer: { id: 'C-media-1', tier: 3 },
    grid: 'HY-ZH-0002',
    category: 'data',
    media: true,
  };
  await jetstream(nats.nc).publish(subjects.input('complaint', 'HY'), JSON.stringify(complaint), {
    msgID: messageId('complaint', complaint),
  });

  await until(() => hook!.requests.length === 1, 'the webhook', 20_000);
  const told = JSON.parse(hook.requests[0]!.body) as EventTransition;
  expect(told).toMatchObject({ transition: 'opened', level: 'red', rule: 'complaint', grid: 'HY-ZH-0002' });
  expect(told.evidence.complaints).toEqual(['CRM-media-1']);
});
