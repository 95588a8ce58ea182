/**
 * Signed input: who sent a command or a maintenance window, in a form the processor can check. The
 * gateway signs every command it builds and every window an admin posts with HMAC-SHA256 under the
 * command key (cadre.yaml `commands.key`, env `CADRE_COMMAND_KEY`, or `CADRE_DATA/command-key`
 * created on first start); the processor's intake (and `cadre replay`, given the same key) refuses
 * one that is unsigned or whose signature does not verify, so a client that can publish on
 * `cadre.in.command.*` cannot act "by" anyone, and one on `cadre.in.maintenance.*` cannot silence a
 * city's alarms with a window nobody posted.
 *
 * What is signed: the input's JSON with every key sorted (at every depth), without its own
 * `signature` field, after the domain prefix `cadre-<kind>-v1\n` (a command's signature never
 * verifies as a window's). Sorted keys, not the bytes on the wire: the signature survives any
 * re-serialization (a log exported and replayed), and the body covers everything that decides what
 * the input does — a command's `by` (the principal), `action`, `event`, `time`, `id` and every
 * argument; a window's grids, elements, start, end and reason. The `id` is in it, so a signed input
 * replayed later is the same input (the same dedup key), never a second action.
 *
 * Why HMAC, not Ed25519: the gateway and the processor are both cadre's, deployed by one operator, so
 * one shared secret is the simplest thing that works (as the login tokens' `CADRE_DATA/secret`);
 * a processor that must verify without being able to sign would want Ed25519's public key.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reject, type Reject } from './errors.js';

/** The field of a signed input that carries its signature: `hmac-sha256:<base64url>`. */
export const SIGNATURE_FIELD = 'signature';
const SCHEME = 'hmac-sha256:';

/** The input types the gateway signs. */
export type SignedKind = 'command' | 'maintenance';
const WHAT: Record<SignedKind, string> = { command: 'command', maintenance: 'maintenance window' };

/** The keys a process holds: the one it signs with, and every one it accepts (rotation). */
export interface CommandKeys {
  sign: string;
  verify: readonly string[];
}

/**
 * Keys from cadre.yaml `commands`: `key` signs and verifies, `previousKeys` only verify (the old key
 * while rotating). None without `key`: the roles' wiring (app/app.ts) always resolves one.
 */
export function commandKeysOf(settings: {
  key?: string;
  previousKeys?: readonly string[];
}): CommandKeys | undefined {
  const { key, previousKeys = [] } = settings;
  return key ? { sign: key, verify: [key, ...previousKeys] } : undefined;
}

/** A fresh random key (32 bytes, base64url), for `CADRE_DATA/command-key` and tests. */
export function newCommandKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The key a role signs and verifies with: `CADRE_COMMAND_KEY`, else cadre.yaml `commands.key`, else
 * `CADRE_DATA/command-key` — created (0600) on first start when `create`, as the login tokens'
 * `secret` is, so that `cadre start` needs no setup. Roles on different machines need the same key.
 */
export function resolveCommandKey(
  fromEnv: string | undefined,
  fromConfig: string | undefined,
  dataDir: string | undefined,
  create: boolean,
): string | undefined {
  if (fromEnv || fromConfig) return fromEnv || fromConfig;
  if (!dataDir) return undefined;
  const file = join(dataDir, 'command-key');
  if (!existsSync(file)) {
    if (!create) return undefined;
    mkdirSync(dataDir, { recursive: true });
    try {
      // 'wx' fails when the file exists: two processes starting together keep one key.
      writeFileSync(file, newCommandKey() + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readFileSync(file, 'utf8').trim();
}

/** The input with its `signature` field. */
export function signInput<T extends object>(
  kind: SignedKind,
  input: T,
  keys: CommandKeys,
): T & { signature: string } {
  const { [SIGNATURE_FIELD]: _old, ...body } = input as Record<string, unknown>;
  return { ...(body as T), signature: SCHEME + mac(kind, keys.sign, body) };
}

/** Undefined when the input (parsed JSON) carries a signature of one of the keys; else the reject. */
export function verifyInput(kind: SignedKind, parsed: object, keys: CommandKeys): Reject | undefined {
  const input = parsed as Record<string, unknown>;
  const { [SIGNATURE_FIELD]: signature, ...body } = input;
  const what = `${WHAT[kind]} ${String(input.id)}`;
  if (signature === undefined)
    return reject('CADRE_ERR_UNSIGNED_COMMAND', `/signature: ${what} is not signed`);
  if (typeof signature !== 'string' || !signature.startsWith(SCHEME))
    return reject('CADRE_ERR_BAD_SIGNATURE', `/signature: not an ${SCHEME}… signature`);
  const given = Buffer.from(signature.slice(SCHEME.length), 'base64url');
  for (const key of keys.verify) {
    const expected = Buffer.from(mac(kind, key, body), 'base64url');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return undefined;
  }
  const by = kind === 'command' ? ` "by" ${String(input.by)}` : '';
  return reject('CADRE_ERR_BAD_SIGNATURE', `/signature: ${what}${by} is not signed by the command key`);
}

/**
 * The reject of an input that must be signed and is not signed by the keys (commands and maintenance
 * windows); undefined for any other input, and for every input without keys (unchecked).
 */
export function forgedInput(
  input: { type: string; msg?: object },
  keys: CommandKeys | undefined,
): Reject | undefined {
  if (!keys || !input.msg || (input.type !== 'command' && input.type !== 'maintenance')) return undefined;
  return verifyInput(input.type, input.msg, keys);
}

function mac(kind: SignedKind, key: string, body: unknown): string {
  return createHmac('sha256', key)
    .update(`cadre-${kind}-v1\n` + canonicalJson(body))
    .digest('base64url');
}

/** JSON with object keys sorted at every depth: one text per value, however it was serialized. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
