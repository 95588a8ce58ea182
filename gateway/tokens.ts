/**
 * Login tokens: a compact payload signed with HMAC-SHA256, `base64url(json).base64url(mac)`. The secret
 * lives in `CADRE_DATA/secret` (created 0600 on first start), so tokens survive a restart and every
 * gateway sharing the data folder accepts them.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Principal } from './principal.js';

export interface TokenPayload {
  sub: string;
  role: Principal['role'];
  cities: string[];
  /** Expiry, epoch seconds. */
  exp: number;
}

/** Why a presented token is refused: each reason is a 401, named for the log. */
export type TokenProblem = 'malformed' | 'forged' | 'expired';

export type TokenCheck = { ok: true; payload: TokenPayload } | { ok: false; problem: TokenProblem };

/** Reads the signing secret, creating it (mode 0600, never overwritten) when absent. */
export function loadOrCreateSecret(dataDir: string): Buffer {
  const file = join(dataDir, 'secret');
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx' fails when the file exists, so two processes starting together keep one secret.
    writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
}

export class TokenSigner {
  constructor(private readonly secret: Buffer) {}

  sign(payload: TokenPayload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  verify(token: string, nowMs: number): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, problem: 'malformed' };
    const [body, mac] = parts as [string, string];
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, problem: 'forged' };
    let payload: TokenPayload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
    } catch {
      return { ok: false, problem: 'malformed' };
    }
    if (typeof payload.exp !== 'number' || typeof payload.sub !== 'string')
      return { ok: false, problem: 'malformed' };
    if (payload.exp * 1000 <= nowMs) return { ok: false, problem: 'expired' };
    return { ok: true, payload };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
