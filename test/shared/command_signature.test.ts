import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  commandKeysOf,
  newCommandKey,
  signCommand,
  verifyCommand,
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
    const signed = signCommand(command, keys);
    expect(signed.signature).toMatch(/^hmac-sha256:[-_A-Za-z0-9]{43}$/);
    expect(verifyCommand(signed, keys)).toBeUndefined();
    const reordered = JSON.parse(
      JSON.stringify({ signature: signed.signature, ...command, by: 'dispatcher' }),
    );
    expect(verifyCommand(reordered, keys)).toBeUndefined();
  });

  it('refuses an unsigned command, a changed principal, another key and a malformed signature, naming each', () => {
    expect(verifyCommand(command, keys)?.code).toBe('CADRE_ERR_UNSIGNED_COMMAND');
    const signed = signCommand(command, keys);
    const forged = { ...signed, by: 'admin' };
    expect(verifyCommand(forged, keys)).toMatchObject({ code: 'CADRE_ERR_BAD_SIGNATURE' });
    expect(verifyCommand(forged, keys)!.reason).toMatch(/^\/signature: .*"by" admin/);
    expect(verifyCommand(signCommand(command, commandKeysOf({ key: newCommandKey() })!), keys)?.code).toBe(
      'CADRE_ERR_BAD_SIGNATURE',
    );
    expect(verifyCommand({ ...command, signature: 42 }, keys)?.code).toBe('CADRE_ERR_BAD_SIGNATURE');
    expect(verifyCommand({ ...command, signature: 'hmac-sha256:' }, keys)?.code).toBe(
      'CADRE_ERR_BAD_SIGNATURE',
    );
  });

  it('a previous key still verifies while rotating; a new signature uses the new key', () => {
    const old = newCommandKey();
    const rotated = commandKeysOf({ key: newCommandKey(), previousKeys: [old] })!;
    expect(verifyCommand(signCommand(command, commandKeysOf({ key: old })!), rotated)).toBeUndefined();
    expect(verifyCommand(signCommand(command, rotated), commandKeysOf({ key: old })!)?.code).toBe(
      'CADRE_ERR_BAD_SIGNATURE',
    );
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
    expect(gate(msg(signCommand(command, keys)))).toMatchObject({ ok: true });
    expect(gate(msg(command))).toMatchObject({
      ok: false,
      type: 'command',
      reject: { code: 'CADRE_ERR_UNSIGNED_COMMAND' },
    });
    expect(gate(msg({ ...signCommand(command, keys), action: 'resolve' }))).toMatchObject({
      ok: false,
      reject: { code: 'CADRE_ERR_BAD_SIGNATURE' },
    });
    // Without keys (library use, tests of the core) commands are not checked.
    expect(createGate(config.topology)(msg(command))).toMatchObject({ ok: true });
  });

  it('replay given the key refuses what the live processor refused; without a key it does not check', async () => {
    const config = loadConfig(new URL('../../config', import.meta.url).pathname);
    const lines = [JSON.stringify(signCommand(command, keys)), JSON.stringify({ ...command, id: 'c-2' })];
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
