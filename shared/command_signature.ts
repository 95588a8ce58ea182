/**
 * Signed commands: who sent a command, in a form the processor can check. The gateway signs every
 * command it builds with HMAC-SHA256 under the command key (cadre.yaml `commands.key`, env
 * `CADRE_COMMAND_KEY`, or `CADRE_DATA/command-key` created on first start); the processor's intake
 * (and `cadre replay`, given the same key) refuses a command that is unsigned or whose signature
 * does not verify, so a client that can publish on `cadre.in.command.*` cannot act "by" anyone.
 *
 * What is signed: the command's JSON with every key sorted (at every depth), without its own
 * `signature` field, after the domain prefix `cadre-command-v1\n`. Sorted keys, not the bytes on the
 * wire: the signature survives any re-serialization (a log exported and replayed), and the body
 * covers everything that decides what the command does — `by` (the principal), `action`, `event`,
 * `time`, `id` and every argument. The command's `id` is in it, so a signed command replayed later
 * is the same input (the same dedup key), never a second action.
 *
 * Why HMAC, not Ed25519: the gateway and the processor are both cadre's, deployed by one operator, so
 * one shared secret is the simplest thing that works (as the login tokens' `CADRE_DATA/secret`);
 * a processor that must verify without being able to sign would want Ed25519's public key.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reject, type Reject } from './errors.js';

/** The field of a command that carries its signature: `hmac-sha256:<base64url>`. */
export const SIGNATURE_FIELD = 'signature';
const SCHEME = 'hmac-sha256:';
const DOMAIN = 'cadre-command-v1\n';

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

/** The command with its `signature` field. */
export function signCommand<T extends object>(command: T, keys: CommandKeys): T & { signature: string } {
  const { [SIGNATURE_FIELD]: _old, ...body } = command as Record<string, unknown>;
  return { ...(body as T), signature: SCHEME + mac(keys.sign, body) };
}

/** Undefined when the command (parsed JSON) carries a signature of one of the keys; else the reject. */
export function verifyCommand(parsed: object, keys: CommandKeys): Reject | undefined {
  const command = parsed as Record<string, unknown>;
  const { [SIGNATURE_FIELD]: signature, ...body } = command;
  if (signature === undefined)
    return reject('CADRE_ERR_UNSIGNED_COMMAND', `/signature: command ${String(command.id)} is not signed`);
  if (typeof signature !== 'string' || !signature.startsWith(SCHEME))
    return reject('CADRE_ERR_BAD_SIGNATURE', `/signature: not an ${SCHEME}… signature`);
  const given = Buffer.from(signature.slice(SCHEME.length), 'base64url');
  for (const key of keys.verify) {
    const expected = Buffer.from(mac(key, body), 'base64url');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return undefined;
  }
  return reject(
    'CADRE_ERR_BAD_SIGNATURE',
    `/signature: command ${String(command.id)} "by" ${String(command.by)} is not signed by the command key`,
  );
}

function mac(key: string, body: unknown): string {
  return createHmac('sha256', key)
    .update(DOMAIN + canonicalJson(body))
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
