import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  commandKeysOf,
  newCommandKey,
  signInput,
  verifyInput,
} from '../../shared/command_signature.js';
import { createGate } from '../../processor/intake.js';
import { loadConfig } from '../../config/load.js';
import { replay } from '../../processor/replay.js';

const keys = commandKeysOf({ key: newCommandKey() })!;
const command = {
  type: 'command' as const,
  id: 'c-1',
  action: 'ack',
  event: 'ev-1',
  by: 'dispatcher',
  time: '2026-10-15T08:00:00Z',
};

describe('signed commands', () => {
  it('a signed command verifies, also after re-serialization in another key order', () => {
    const signed = signInput('command', command, keys);
    expect(signed.signature).toMatch(/^hmac-sha256:[-_A-Za-z0-9]{43}$/);
    expect(verifyInput('command', signed, keys)).toBeUndefined();
    const reordered = JSON.parse(
      JSON.stringify({ signature: signed.signature, ...command, by: 'dispatcher' }),
    );
    expect(verifyInput('command', reordered, keys)).toBeUndefined();
  });

  it('refuses an unsigned command, a changed principal, another key and a malformed signature, naming each', () => {
    expect(verifyInput('command', command, keys)?.code).toBe('CADRE_ERR_UNSIGNED_COMMAND');
    const signed = signInput('command', command, keys);
    const forged = { ...signed, by: 'admin' };
    expect(verifyInput('command', forged, keys)).toMatchObject({ code: 'CADRE_ERR_BAD_SIGNATURE' });
    expect(verifyInput('command', forged, keys)!.reason).toMatch(/^\/signature: .*"by" admin/);
    expect(
      verifyInput('command', signInput('command', command, commandKeysOf({ key: newCommandKey() })!), keys)
        ?.code,
    ).toBe('CADRE_ERR_BAD_SIGNATURE');
    expect(verifyInput('command', { ...command, signature: 42 }, keys)?.code).toBe('CADRE_ERR_BAD_SIGNATURE');
    expect(verifyInput('command', { ...command, signature: 'hmac-sha256:' }, keys)?.code).toBe(
      'CADRE_ERR_BAD_SIGNATURE',
    );
  });

  it('a previous key still verifies while rotating; a new signature uses the new key', () => {
    const old = newCommandKey();
    const rotated = commandKeysOf({ key: newCommandKey(), previousKeys: [old] })!;
    expect(
      verifyInput('command', signInput('command', command, commandKeysOf({ key: old })!), rotated),
    ).toBeUndefined();
    expect(
      verifyInput('command', signInput('command', command, rotated), commandKeysOf({ key: old })!)?.code,
    ).toBe('CADRE_ERR_BAD_SIGNATURE');
  });

  it('canonical JSON sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 'x' }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":"x","z":1}]},"b":1}',
    );
  });

  it("the processor's gate dead-letters unsigned and forged commands with their code, takes signed ones", () => {
    const config = loadConfig(new URL('../../config', import.meta.url).pathname);
    const city = config.topology.cities[0]!.id;
    const gate = createGate(config.topology, keys);
    const msg = (body: object) => ({
      subject: `cadre.in.command.${city}`,
      seq: 1,
      data: new TextEncoder().encode(JSON.stringify(body)),
    });
    expect(gate(msg(signInput('command', command, keys)))).toMatchObject({ ok: true });
    expect(gate(msg(command))).toMatchObject({
      ok: false,
      type: 'command',
      reject: { code: 'CADRE_ERR_UNSIGNED_COMMAND' },
    });
    expect(gate(msg({ ...signInput('command', command, keys), action: 'resolve' }))).toMatchObject({
      ok: false,
      reject: { code: 'CADRE_ERR_BAD_SIGNATURE' },
    });
    // Without keys (library use, tests of the core) commands are not checked.
    expect(createGate(config.topology)(msg(command))).toMatchObject({ ok: true });
  });

  it('maintenance windows are signed the same way, under their own domain', () => {
    const config = loadConfig(new URL('../../config', import.meta.url).pathname);
    const grid = config.topology.grids[0]!;
    const gate = createGate(config.topology, keys);
    const window = {
      id: 'mw-1',
      grids: [grid.id],
      start: '2026-12-01T00:00:00Z',
      end: '2026-12-01T02:00:00Z',
      reason: 'planned cutover',
    };
    const msg = (body: object) => ({
      subject: `cadre.in.maintenance.${grid.city}`,
      seq: 1,
      data: new TextEncoder().encode(JSON.stringify(body)),
    });
    expect(gate(msg(signInput('maintenance', window, keys)))).toMatchObject({ ok: true });
    expect(gate(msg(window))).toMatchObject({
      ok: false,
      type: 'maintenance',
      reject: {
        code: 'CADRE_ERR_UNSIGNED_COMMAND',
        reason: '/signature: maintenance window mw-1 is not signed',
      },
    });
    // A longer window than the admin posted, or a command's signature over the same body: refused.
    expect(
      gate(msg({ ...signInput('maintenance', window, keys), end: '2026-12-09T00:00:00Z' })),
    ).toMatchObject({
      ok: false,
      reject: { code: 'CADRE_ERR_BAD_SIGNATURE' },
    });
    expect(gate(msg(signInput('command', window, keys)))).toMatchObject({
      ok: false,
      reject: { code: 'CADRE_ERR_BAD_SIGNATURE' },
    });
  });

  it('replay given the key refuses what the live processor refused; without a key it does not check', async () => {
    const config = loadConfig(new URL('../../config', import.meta.url).pathname);
    const lines = [
      JSON.stringify(signInput('command', command, keys)),
      JSON.stringify({ ...command, id: 'c-2' }),
    ];
    const run = async (commandKeys?: typeof keys) => {
      let err = '';
      const source = {
        name: 'log',
        lines: (async function* () {
          yield* lines;
        })(),
      };
      await replay(
        [source],
        { rules: config.rules, topology: config.topology, commandKeys },
        {
          out: () => {},
          err: (text) => void (err += text),
        },
      );
      return err
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { line: number; code: string });
    };
    // The signed command reaches the core (which knows no event ev-1); the unsigned one does not.
    expect(await run(keys)).toEqual([
      expect.objectContaining({ line: 1, code: 'CADRE_ERR_UNKNOWN_EVENT' }),
      expect.objectContaining({ line: 2, code: 'CADRE_ERR_UNSIGNED_COMMAND' }),
    ]);
    expect((await run()).map((r) => r.code)).toEqual(['CADRE_ERR_UNKNOWN_EVENT', 'CADRE_ERR_UNKNOWN_EVENT']);
  });
});
