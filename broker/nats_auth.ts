/**
 * Who may speak on the broker: each cadre role connects to NATS as its own user, whose permissions
 * (deploy/nats-auth.conf, included by deploy/nats-server.conf) allow what the role does and nothing
 * else — a producer publishes alarms, KPIs and complaints, never a command, a tick or an event
 * (docs/reliability.md "Who may speak on the broker").
 *
 * Users with passwords, not nkeys: a password is one environment variable per role, the same name on
 * the server (the conf reads `$CADRE_NATS_<ROLE>_PASSWORD` from the server's environment) and on the
 * role, and `npm start` generates them for its embedded server. Nkeys would need a seed file per role
 * and the `nk` tool to make them, for no gain on a private network; use TLS on links you do not trust
 * either way.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** One NATS user each. `producer` is what outside producers (and `cadre simulate`) use. */
export const NATS_ROLES = ['producer', 'ingest', 'processor', 'gateway', 'notifier', 'admin'] as const;
export type NatsRole = (typeof NATS_ROLES)[number];

/** `CADRE_NATS_PROCESSOR_PASSWORD`: read by nats-server (the conf) and by the role alike. */
export const passwordVar = (role: NatsRole) => `CADRE_NATS_${role.toUpperCase()}_PASSWORD`;
/** `CADRE_NATS_PROCESSOR_USER`: the role's user name when it is not the role's own name. */
export const userVar = (role: NatsRole) => `CADRE_NATS_${role.toUpperCase()}_USER`;

/**
 * Where a role's replies arrive: `_INBOX_<role>.…`, the only inboxes its user may subscribe to, so
 * no role reads another's request replies (JetStream answers, KV reads, pull deliveries). Producers
 * keep NATS's default `_INBOX` (outside clients use it): theirs is the one inbox left shared.
 */
export const inboxPrefixOf = (role: NatsRole): string | undefined =>
  role === 'producer' || role === 'admin' ? undefined : `_INBOX_${role}`;

/** What a connection was opened with (nats.js keeps it, its type does not say so). */
export const connectOptions = (nc: object) =>
  (nc as { options?: { user?: string; pass?: string; token?: string; inboxPrefix?: string } }).options ?? {};

/**
 * The connect options of a role: its user, password and inbox prefix when
 * `CADRE_NATS_<ROLE>_PASSWORD` is set, nothing (an anonymous connection, as to a server without
 * auth) when it is not.
 */
export function natsAuth(
  role: NatsRole,
  env: NodeJS.ProcessEnv = process.env,
): { user: string; pass: string; inboxPrefix?: string } | Record<string, never> {
  const pass = env[passwordVar(role)];
  if (!pass) return {};
  const inboxPrefix = inboxPrefixOf(role);
  return { user: env[userVar(role)] || role, pass, ...(inboxPrefix ? { inboxPrefix } : {}) };
}

/** The shipped users and permissions: next to the package (dist/broker → ../../deploy), or from source. */
export const NATS_AUTH_CONF = ['../../deploy/nats-auth.conf', '../deploy/nats-auth.conf']
  .map((p) => fileURLToPath(new URL(p, import.meta.url)))
  .find((file) => existsSync(file));

/**
 * The password of every role for a server cadre launches itself (`npm start`'s embedded one, test
 * servers): kept in `file` (0600, created on first use) so a restart keeps them; a variable already
 * set in `env` wins. Returns the variables to give the server and the roles.
 */
export function loadOrCreatePasswords(file: string | undefined, env: NodeJS.ProcessEnv = process.env) {
  let kept: Record<string, string> = {};
  if (file && existsSync(file)) kept = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const vars: Record<string, string> = {};
  let changed = false;
  for (const role of NATS_ROLES) {
    const name = passwordVar(role);
    if (!kept[name]) {
      // nats-server parses a variable's value as a config value: a letter then hex digits is read
      // as a plain string (a leading digit would be taken for a number, some punctuation for syntax).
      kept[name] = `p${randomBytes(24).toString('hex')}`;
      changed = true;
    }
    vars[name] = env[name] || kept[name];
  }
  if (file && changed) writeFileSync(file, JSON.stringify(kept, null, 2) + '\n', { mode: 0o600 });
  return vars;
}

/** A temporary file for tests and servers without a data folder. */
export const passwordsFile = (dir: string) => join(dir, 'nats-passwords.json');
