/**
 * The example scenarios (test/fixtures/scenarios, copied from the project's shared examples), each
 * run through the replay entry and checked against its .expect.md.
 */
import { describe, expect, it } from 'vitest';
import { createReadStream, mkdtempSync, copyFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rulesFrom } from '../../config/load.js';
import type { EventTransition } from '../../shared/schemas.js';
import { replay } from '../../processor/replay.js';
import { MIN, SCENARIOS, minutesBetween, ndjson, of, topology } from './helpers.js';

interface Replayed {
  events: EventTransition[];
  scorecards: Record<string, unknown>[];
  rejects: { line: number; reason: string; code: string }[];
  stdout: string;
}

async function replayScenario(name: string): Promise<Replayed> {
  let stdout = '';
  let stderr = '';
  const lines = createInterface({
    input: createReadStream(`${SCENARIOS}${name}.ndjson`),
    crlfDelay: Infinity,
  });
  await replay(
    [{ name, lines }],
    { rules: rulesFrom({}), topology, scorecards: true },
    {
      out: (t) => void (stdout += t),
      err: (t) => void (stderr += t),
    },
  );
  const out = ndjson<{ kind: string }>(stdout);
  return {
    events: out.filter((o) => o.kind === 'event') as EventTransition[],
    scorecards: out.filter((o) => o.kind === 'scorecard') as Record<string, unknown>[],
    rejects: ndjson(stderr),
    stdout,
  };
}

describe('scenario 01-grid-sweep', () => {
  it('opens an orange outage of two elements and sweeps every active alarm into the complaint', async () => {
    const { events } = await replayScenario('01-grid-sweep');
    const outage = of(events, 'XT-YT-0010', 'outage');
    expect(outage[0]).toMatchObject({ transition: 'opened', level: 'orange' });
    expect(outage[0]!.evidence.elements).toEqual(
      expect.arrayContaining(['XT-YT-0010-BTS1', 'XT-YT-0010-CELL4']),
    );
    expect(minutesBetween(outage[0]!.openedAt, outage[0]!.deadline)).toBe(8 * 60);

    const complaint = of(events, 'XT-YT-0010', 'complaint').at(-1)!;
    expect(['orange', 'red']).toContain(complaint.level);
    expect(complaint.evidence.alarms).toEqual(expect.arrayContaining(['OMC-1', 'OMC-2', 'OMC-3', 'OMC-4']));
    expect(complaint.evidence.complaints).toContain('CRM-1');
    expect(minutesBetween(complaint.openedAt, complaint.ackDeadline)).toBe(24 * 60);
    expect(minutesBetween(complaint.openedAt, complaint.deadline)).toBe(36 * 60);
  });
});

describe('scenario 02-competitive-comparison', () => {
  it('lets a cell leading the competitor by the full margin wait, and handles the others', async () => {
    const { events } = await replayScenario('02-competitive-comparison');
    expect(of(events, 'XT-YH-0003', 'kpi')).toEqual([]);
    expect(of(events, 'XT-YT-0010', 'kpi')[0]).toMatchObject({ transition: 'opened', level: 'yellow' });
    expect(of(events, 'HY-SG-0005', 'kpi')[0]).toMatchObject({ transition: 'opened', level: 'yellow' });
  });
});

describe('scenario 03-key-customer-escalation', () => {
  it('escalates a tier-1 complaint to red when its 30-minute first response passes', async () => {
    const { events } = await replayScenario('03-key-customer-escalation');
    const complaint = of(events, 'HY-SG-0005', 'complaint');
    expect(complaint[0]).toMatchObject({ transition: 'opened', level: 'orange' });
    expect(minutesBetween(complaint[0]!.openedAt, complaint[0]!.ackDeadline)).toBe(30);
    expect(minutesBetween(complaint[0]!.openedAt, complaint[0]!.deadline)).toBe(8 * 60);
    const escalations = complaint.filter((t) => t.transition === 'escalated');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({ level: 'red', escalationStep: 1 });
    const minute = minutesBetween(complaint[0]!.openedAt, escalations[0]!.at);
    expect(minute).toBeGreaterThan(29);
    expect(minute).toBeLessThanOrEqual(31);
  });
});

describe('scenario 04-flapping', () => {
  it('opens no outage for 15-second drops, a yellow flapping event at the 5th cycle, cleared after 60 quiet minutes', async () => {
    const { events } = await replayScenario('04-flapping');
    expect(events.filter((t) => t.rule === 'outage')).toEqual([]);
    const flapping = of(events, 'XT-YT-0010', 'flapping');
    expect(flapping.map((t) => t.transition)).toEqual(['opened', 'cleared']);
    expect(flapping[0]).toMatchObject({ level: 'yellow', at: '2026-10-15T01:24:15.000Z' });
    expect(Date.parse(flapping[1]!.at) - Date.parse(flapping[0]!.at)).toBe(60 * MIN);
  });
});

describe('scenario 05-bad-input', () => {
  it('rejects lines 2, 3 and 4 with reasons and still opens the red outage of the key grid', async () => {
    const { events, rejects } = await replayScenario('05-bad-input');
    expect(rejects.map((r) => r.line)).toEqual([2, 3, 4]);
    expect(rejects.map((r) => r.code)).toEqual([
      'CADRE_ERR_BAD_JSON',
      'CADRE_ERR_UNKNOWN_ELEMENT',
      'CADRE_ERR_SCHEMA',
    ]);
    for (const r of rejects) expect(r.reason).toBeTruthy();
    expect(of(events, 'HY-ZH-0002', 'outage')[0]).toMatchObject({ transition: 'opened', level: 'red' });
  });
});

describe('replay output', () => {
  it('is byte-identical for the same input', async () => {
    const a = await replayScenario('01-grid-sweep');
    const b = await replayScenario('01-grid-sweep');
    expect(a.stdout).toBe(b.stdout);
  });

  it('writes the contract keys of a transition in the contract order, and one scorecard per grid', async () => {
    const { events, scorecards } = await replayScenario('03-key-customer-escalation');
    expect(Object.keys(events[0]!)).toEqual([
      'kind',
      'id',
      'seq',
      'transition',
      'grid',
      'city',
      'rule',
      'level',
      'state',
      'title',
      'openedAt',
      'at',
      'ackDeadline',
      'deadline',
      'tracking',
      'escalationStep',
      'evidence',
      'titleParts',
      // Extensions after the contract's keys: a complaint event's work orders (Deal).
      'workOrders',
    ]);
    expect(scorecards.map((s) => s.grid)).toEqual(topology.grids.map((g) => g.id));
    const card = scorecards.find((s) => s.grid === 'HY-SG-0005')!;
    expect(card).toMatchObject({
      complaints: 1,
      subscribers: 7000,
      events: { red: 0, orange: 1, yellow: 0, blue: 0 },
    });
    expect(card.complaintsPer10k).toBeCloseTo((1 / 7000) * 10_000, 5);
    expect(Object.keys(card)).toEqual([
      'kind',
      'grid',
      'city',
      'from',
      'to',
      'subscribers',
      'complaints',
      'complaintsPer10k',
      'byCategory',
      'repeatRate',
      'events',
      'mttaMinutes',
      'mttrMinutes',
      'slaMetPct',
      'degradedElementsPct',
      'firstResponseMetPct',
      'contactMetPct',
      'promises',
      'promisesMoved',
      'promisesBroken',
      'satisfactionPct',
      'deferred',
      'resolvedUnrelated',
      'handledInGridPct',
    ]);
    expect(Date.parse(card.to as string) - Date.parse(card.from as string)).toBe(31 * MIN);
  });
});

describe('replay of several sources', () => {
  it('numbers lines per file, names the file, and reports refused commands with their line', async () => {
    let stdout = '';
    let stderr = '';
    async function* lines(texts: string[]) {
      yield* texts;
    }
    const a = [
      JSON.stringify({
        type: 'complaint',
        id: 'C1',
        time: '2026-10-15T01:00:00Z',
        customer: { id: 'k', tier: 4 },
        category: 'voice',
        grid: 'HY-SG-0005',
      }),
      '',
      '{bad',
    ];
    const b = [
      JSON.stringify({
        type: 'command',
        id: 'K1',
        action: 'ack',
        event: 'nope',
        by: 'd',
        time: '2026-10-15T01:01:00Z',
      }),
    ];
    const summary = await replay(
      [
        { name: 'a.ndjson', lines: lines(a) },
        { name: 'b.ndjson', lines: lines(b) },
      ],
      { rules: rulesFrom({}), topology },
      { out: (t) => void (stdout += t), err: (t) => void (stderr += t) },
    );
    expect(
      stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { line: 3, file: 'a.ndjson', reason: expect.stringMatching(/bad JSON/), code: 'CADRE_ERR_BAD_JSON' },
      { line: 1, file: 'b.ndjson', command: 'K1', reason: 'no event nope', code: 'CADRE_ERR_UNKNOWN_EVENT' },
    ]);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(summary).toMatchObject({ lines: 4, transitions: 1, rejected: 2 });
  });
});

describe('cadre replay (the real command)', () => {
  const exec = promisify(execFile);
  const cadre = (args: string[], env: Record<string, string> = {}) =>
    exec('npx', ['tsx', 'bin/cadre.ts', 'replay', ...args], { env: { ...process.env, ...env } }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );

  it('replays a scenario with its topology: events on stdout, rejects on stderr, exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cadre-replay-'));
    copyFileSync(`${SCENARIOS}topology.json`, join(dir, 'topology.json'));
    const { code, stdout, stderr } = await cadre([`${SCENARIOS}05-bad-input.ndjson`, '--scorecards'], {
      CADRE_CONFIG: dir,
    });
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      kind: 'event',
      grid: 'HY-ZH-0002',
      rule: 'outage',
      transition: 'opened',
      level: 'red',
    });
    expect(lines.filter((l) => l.kind === 'scorecard')).toHaveLength(topology.grids.length);
    const rejects = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(rejects.map((r) => r.line)).toEqual([2, 3, 4]);
  });

  it('exits 1 naming an unreadable file, and 2 on an invalid config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cadre-replay-'));
    copyFileSync(`${SCENARIOS}topology.json`, join(dir, 'topology.json'));
    const missing = await cadre([join(dir, 'nope.ndjson'), '--config', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.ndjson/);
    const empty = mkdtempSync(join(tmpdir(), 'cadre-replay-'));
    const invalid = await cadre([`${SCENARIOS}01-grid-sweep.ndjson`, '--config', empty]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/topology\.json is required/);
    expect(invalid.stdout).toBe('');
  });
});
