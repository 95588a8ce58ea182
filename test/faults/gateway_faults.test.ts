/**
 * The screens' side: the gateway (its own process) SIGKILLed under load with wall screens connected
 * and started again on its port, and screens dropped for a while (10 s in npm test; 10, 90 and
 * 150 s at once in the long run) while the province's input goes on. Each screen ends showing
 * exactly the active events of an uninterrupted replay: it got what it missed or a fresh snapshot.
 * Recovery: from the kill (the reconnect) until every screen has its new snapshot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../processor/live_helpers.js';
import { check, expectClean, summary } from './checker.js';
import {
  LONG,
  Screen,
  faultBroker,
  gatewayOnFreePort,
  healthy,
  paceInput,
  processorRole,
  provinceInput,
  settle,
  type Role,
} from './stack.js';

const open: { stop?: () => Promise<void>; roles: Role[]; screens: Screen[] } = { roles: [], screens: [] };
afterEach(async () => {
  for (const s of open.screens.splice(0)) s.close();
  for (const r of open.roles.splice(0)) await r.kill();
  await open.stop?.();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A broker, a processor and a gateway that lets wall screens watch without a login. */
async function stack() {
  const { nats, dir, config } = await faultBroker({
    'cadre.yaml': 'processor:\n  checkpointInterval: 0.5\n',
    'access.yaml': JSON.stringify({ users: [], anonymousViewer: true }),
  });
  open.stop = () => nats.stop();
  const { gateway, url } = await gatewayOnFreePort(nats.server.url, dir);
  const processor = processorRole(nats.server.url, dir).start();
  open.roles.push(gateway, processor);
  await healthy(url);
  await processor.running();
  return { nats, config, url, gateway };
}

function screens(url: string, names: string[]): Screen[] {
  const list = names.map((name) => new Screen(name, url));
  open.screens.push(...list);
  return list;
}

/** Screens are coalesced a few times a second: wait until every one shows the same, then check. */
async function checkScreens(
  nats: Awaited<ReturnType<typeof stack>>['nats'],
  config: Awaited<ReturnType<typeof stack>>['config'],
  list: Screen[],
) {
  await settle(nats.nc);
  await sleep(2000);
  return check(nats.nc, { config, grids: [], screens: list });
}

describe('the gateway SIGKILLed with screens connected', () => {
  it(
    `under load, ${LONG ? 5 : 1} times: every screen comes back to the exact state`,
    async () => {
      const { nats, config, url, gateway } = await stack();
      const list = screens(url, ['wall-1', 'wall-2', 'desk']);
      await waitFor('the first snapshots', () => list.every((s) => s.snapshots > 0) || undefined);
      const publishing = paceInput(
        nats.nc,
        config,
        provinceInput(config, LONG ? 90 : 15),
        LONG ? 1000 : 2000,
      );
      const recoveries: number[] = [];
      for (let i = 0; i < (LONG ? 5 : 1); i++) {
        await sleep(LONG ? 5000 : 1500);
        const before = list.map((s) => s.snapshots);
        await gateway.kill();
        const killed = performance.now();
        gateway.start();
        await waitFor(
          'every screen re-snapshotted',
          () => list.every((s, j) => s.snapshots > before[j]!) || undefined,
          60_000,
        );
        recoveries.push(performance.now() - killed);
      }
      await publishing;
      const report = await checkScreens(nats, config, list);
      console.log(summary(`gateway SIGKILL ×${recoveries.length} with 3 screens`, report, recoveries));
      expectClean(report);
      expect(list[0]!.digest().length).toBeGreaterThan(10);
    },
    LONG ? 600_000 : 90_000,
  );
});

describe('screens dropped for a while', () => {
  const DROPS_S = LONG ? [10, 90, 150] : [10];
  it(
    `for ${DROPS_S.join(', ')} s each get what they missed or a fresh snapshot`,
    async () => {
      const { nats, config, url } = await stack();
      const steady = screens(url, ['steady'])[0]!;
      const dropped = screens(
        url,
        DROPS_S.map((s) => `dropped ${s} s`),
      );
      await waitFor(
        'the first snapshots',
        () => [steady, ...dropped].every((s) => s.snapshots > 0) || undefined,
      );
      // Input all through the longest drop.
      const seconds = Math.max(...DROPS_S) + 5;
      const lines = provinceInput(config, LONG ? 60 : 10);
      const publishing = paceInput(nats.nc, config, lines, Math.ceil(lines.length / seconds));
      await sleep(1000);
      for (const s of dropped) s.socket.disconnect();
      const recoveries = await Promise.all(
        dropped.map(async (s, i) => {
          await sleep(DROPS_S[i]! * 1000);
          const before = s.snapshots;
          const back = performance.now();
          s.socket.connect();
          await waitFor(`${s.name} re-snapshotted`, () => s.snapshots > before || undefined, 30_000);
          return performance.now() - back;
        }),
      );
      await publishing;
      const report = await checkScreens(nats, config, [steady, ...dropped]);
      console.log(summary(`screens dropped ${DROPS_S.join('/')} s`, report, recoveries));
      expectClean(report);
    },
    LONG ? 600_000 : 90_000,
  );
});
