/**
 * Fuzz of the NATS input path: thousands of generated messages on `cadre.in.<type>.<city>` — valid
 * province input with a field replaced, removed or added (`__proto__` too), another type's or city's
 * subject, any JSON, any text — into CADRE_IN under a running processor (its own process). It does
 * not crash and goes on; the checker finds every message the gate or the core refuses in the DLQ
 * (and nothing else there), and every transition that of replay; every dead letter names its field.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalize } from '../../contract/normalize.js';
import { INPUT_TYPES } from '../../shared/schemas.js';
import { HEADERS, STREAMS, subjects } from '../../shared/subjects.js';
import { waitFor } from '../processor/live_helpers.js';
import { check, expectClean, readAll, summary } from '../faults/checker.js';
import {
  LONG,
  faultBroker,
  processorRole,
  provinceInput,
  publishRaw,
  settle,
  type RawItem,
  useStarted,
} from '../faults/stack.js';
import { fuzzCounts, rejectNamesItsField } from './counts.js';

const open = useStarted();

describe('fuzz: NATS input subjects', () => {
  it(
    `${(LONG ? 12_000 : 4000).toLocaleString('en')} generated messages: no crash, every reject in the DLQ naming its field`,
    async () => {
      const { nats, dir, config } = await faultBroker({
        'cadre.yaml': 'processor:\n  checkpointInterval: 0.5\n',
      });
      open.stop = () => nats.stop();
      const processor = processorRole(nats.server.url, dir).start();
      open.roles.push(processor);
      await processor.running();

      // Templates: valid input of the province, each with the subject a producer would use.
      const templates = provinceInput(config, 10).map((line) => {
        const raw = JSON.parse(line) as Record<string, unknown>;
        const n = normalize(raw, undefined, config.topology);
        const city = n.ok && 'city' in n.input ? n.input.city : 'all';
        return { type: String(raw.type), city, raw };
      });
      const cities = config.topology.cities.map((c) => c.id);
      const token = fc.oneof(
        fc.constantFrom(...INPUT_TYPES, ...cities, 'all', 'ZZZ', 'bogus'),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
      );
      const value = fc.oneof(
        fc.anything(),
        fc.jsonValue(),
        fc.constantFrom('x'.repeat(100_000), '2099-01-01T00:00:00Z', '1970-01-01T00:00:00Z', -1, 1e308, null),
      );
      const message: fc.Arbitrary<RawItem> = fc
        .tuple(
          fc.nat(templates.length - 1),
          fc.constantFrom('same', 'replace', 'remove', 'add', 'subject', 'json', 'text'),
          fc.string({ maxLength: 12 }),
          value,
          token,
          token,
          fc.jsonValue(),
          fc.string({ maxLength: 200 }),
        )
        .map(([i, how, key, v, type, city, json, text]) => {
          const t = templates[i]!;
          const raw: Record<string, unknown> = { ...t.raw };
          const keys = Object.keys(raw);
          let subject = `cadre.in.${t.type}.${t.city}`;
          if (how === 'replace') raw[keys[key.length % keys.length]!] = v;
          if (how === 'remove') delete raw[keys[key.length % keys.length]!];
          if (how === 'add') raw[['__proto__', 'constructor', key || 'extra'][key.length % 3]!] = v;
          if (how === 'subject') subject = `cadre.in.${type}.${city}`;
          const body =
            how === 'json' ? (JSON.stringify(json) ?? 'null') : how === 'text' ? text : JSON.stringify(raw);
          return { subject, text: body };
        });
      const messages = fc.sample(message, { numRuns: LONG ? 12_000 : 4000, seed: 4242 });
      // In time order with the templates, and a last tick past them all (it releases the reorder buffer).
      const last = templates.at(-1)!.raw.time as string;
      messages.push({
        subject: subjects.tick(undefined),
        text: JSON.stringify({ type: 'tick', time: new Date(Date.parse(last) + 3_600_000).toISOString() }),
      });
      for (let i = 0; i < messages.length; i += 500) await publishRaw(nats.nc, messages.slice(i, i + 500));
      await settle(nats.nc, 2000);
      await waitFor(
        'the DLQ settled',
        async () => {
          const a = (await readAll(nats.nc, STREAMS.dlq.name)).length;
          await new Promise((r) => setTimeout(r, 1000));
          return a === (await readAll(nats.nc, STREAMS.dlq.name)).length || undefined;
        },
        60_000,
      );

      const report = await check(nats.nc, { config, grids: [] });
      const dlq = await readAll(nats.nc, STREAMS.dlq.name);
      console.log(summary('NATS fuzz', report, []));
      expectClean(report);
      expect(processor.child?.exitCode, processor.log).toBeNull();
      for (const m of dlq) {
        const r = {
          reason: m.headers[HEADERS.rejectReason] ?? '',
          code: m.headers[HEADERS.rejectCode] ?? '',
        };
        expect(rejectNamesItsField(r), JSON.stringify(r)).toBe(true);
      }
      const stored = (await readAll(nats.nc, STREAMS.input.name)).length;
      for (let i = 0; i < messages.length; i++) fuzzCounts.add('NATS input subjects', 'published');
      fuzzCounts.note('NATS input subjects', 'stored', stored);
      fuzzCounts.note('NATS input subjects', 'dead-lettered', dlq.length);
      fuzzCounts.note('NATS input subjects', 'transitions', report.transitions);
      fuzzCounts.print();
    },
    LONG ? 600_000 : 180_000,
  );
});
