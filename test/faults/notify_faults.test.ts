/**
 * Webhook receivers that fail while the province's input streams through a processor and a gateway
 * (each its own process): one down for a while (minutes in the long run), one answering 500 twice,
 * one 429 with Retry-After, one 410 Gone, one slow — and the gateway, whose notifier sends them,
 * SIGKILLed (in the long run while a request is in flight). Every receiver gets every notice due to it
 * answered once (the 410 one: asked once each, then given up), none twice.
 */
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { waitFor } from '../processor/live_helpers.js';
import { check, expectClean, summary, type Report } from './checker.js';
import {
  LONG,
  WebhookReceiver,
  faultBroker,
  freePort,
  gatewayOnFreePort,
  healthy,
  paceInput,
  processorRole,
  provinceInput,
  settle,
  type Role,
} from './stack.js';

const DOWN_MS = LONG ? 180_000 : 5000;
const open: { stop?: () => Promise<void>; roles: Role[]; receivers: WebhookReceiver[] } = {
  roles: [],
  receivers: [],
};
afterEach(async () => {
  for (const r of open.roles.splice(0)) await r.kill();
  for (const r of open.receivers.splice(0)) await r.down();
  await open.stop?.();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('webhook receivers that fail, and the notifier killed', () => {
  it(
    `down ${DOWN_MS / 1000} s, 500, 429 Retry-After, 410, slow: every notice once`,
    async () => {
      const receivers = {
        steady: new WebhookReceiver(await freePort()),
        down: new WebhookReceiver(await freePort()),
        failing: new WebhookReceiver(await freePort(), (n) => ({ status: n <= 2 ? 500 : 200 })),
        limited: new WebhookReceiver(await freePort(), (n) =>
          n === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 },
        ),
        gone: new WebhookReceiver(await freePort(), () => ({ status: 410 })),
        slow: new WebhookReceiver(await freePort(), undefined, LONG ? 3000 : 1000),
      };
      open.receivers.push(...Object.values(receivers));
      for (const [name, r] of Object.entries(receivers)) if (name !== 'down') await r.up();
      const notify = {
        subscribers: Object.entries(receivers).map(([name, r]) => ({
          name,
          channel: 'webhook',
          url: r.url,
          levels: ['red', 'orange'],
        })),
        // Enough retries to outlast the receiver that is down.
        webhook: {
          retryDelays: LONG
            ? ['5s', '10s', '30s', '1m', '1m', '1m', '1m']
            : ['1s', '1s', '2s', '2s', '3s', '5s'],
          timeout: LONG ? '10s' : '5s',
        },
      };
      const { nats, dir, config } = await faultBroker({
        'cadre.yaml': 'processor:\n  checkpointInterval: 0.5\n',
        'notify.yaml': JSON.stringify(notify),
      });
      open.stop = () => nats.stop();
      const { gateway, url: gwUrl } = await gatewayOnFreePort(nats.server.url, dir);
      open.roles.push(gateway);
      await healthy(gwUrl);
      const processor = processorRole(nats.server.url, dir).start();
      open.roles.push(processor);
      onTestFailed(() => {
        console.log(`---- processor\n${processor.log}\n---- gateway\n${gateway.log}`);
      });
      await processor.running();
      const wentDown = performance.now();
      const publishing = paceInput(nats.nc, config, provinceInput(config, LONG ? 60 : 15), LONG ? 500 : 2000);

      // The notifier killed: in the long run while the slow receiver holds a request.
      await waitFor(
        'a notice in flight',
        () => (LONG ? receivers.slow.inFlight > 0 : receivers.steady.notices.length > 0) || undefined,
        60_000,
      );
      await gateway.kill();
      const killedAt = performance.now();
      const delivered = receivers.steady.notices.length;
      gateway.start();
      await healthy(gwUrl);
      await waitFor(
        'a notice after the restart',
        () => receivers.steady.notices.length > delivered || undefined,
        60_000,
      );
      const gatewayRecovery = performance.now() - killedAt;

      await sleep(Math.max(0, DOWN_MS - (performance.now() - wentDown)));
      await receivers.down.up();
      const backAt = performance.now();
      await publishing;
      await settle(nats.nc);

      const logs = () =>
        Object.entries(receivers).map(([subscriber, r]) => ({
          subscriber,
          notices: r.notices,
          accepts: subscriber !== 'gone',
        }));
      // Retries still due come in over the next seconds (minutes in the long run): check until none is missing.
      let report: Report | undefined;
      await waitFor(
        'every notice delivered',
        async () => {
          report = await check(nats.nc, { config, grids: [], receivers: logs() });
          return report.noticesLost.length === 0 || (await sleep(2000), undefined);
        },
        LONG ? 400_000 : 60_000,
      ).catch(() => undefined);
      const downRecovery = performance.now() - backAt;
      console.log(
        summary('webhook receivers failing + notifier SIGKILL', report!, [gatewayRecovery, downRecovery]),
      );
      console.log(
        `gateway (notifier) back in ${Math.round(gatewayRecovery)} ms; receiver down ${DOWN_MS / 1000} s caught up ${Math.round(downRecovery)} ms after it came back`,
      );
      expectClean(report!);
      expect(receivers.steady.notices.length).toBeGreaterThan(10);
      // 410: asked once per notice, never again.
      const asked = receivers.gone.notices.map((n) => String(n.headers['webhook-id']));
      expect(new Set(asked).size).toBe(asked.length);
      // 429: the next attempt no sooner than Retry-After said.
      const first = new Map<string, number>();
      for (const n of receivers.limited.notices) {
        const id = String(n.headers['webhook-id']);
        if (!first.has(id)) first.set(id, n.at);
        else expect(n.at - first.get(id)!).toBeGreaterThanOrEqual(1900);
      }
    },
    LONG ? 600_000 : 120_000,
  );
});
