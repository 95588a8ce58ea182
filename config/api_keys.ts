/**
 * Ingest credentials: API keys of access.yaml, stored as hex sha256. Every configured hash is
 * compared in constant time, so the answer's timing says nothing about how close a guess was.
 */
import { timingSafeEqual } from 'node:crypto';
import { hashApiKey } from '../shared/passwords.js';
import type { Access, Role } from './access.js';

/** Who made a request: a user, an API key or the anonymous viewer (one shape for every role). */
export interface Principal {
  name: string;
  role: Role;
  /** The cities a user may act on; empty means "no restriction" for viewers and admins, "none" for dispatchers. */
  cities: string[];
  anonymous?: boolean;
}

/** Finds the API key a bearer token is, or undefined. */
export function apiKeyAuthenticator(
  access: Pick<Access, 'apiKeys'>,
): (token: string) => Principal | undefined {
  const keys = access.apiKeys.map((k) => ({
    name: k.name,
    role: k.role,
    hash: Buffer.from(k.keyHash, 'hex'),
  }));
  return (token) => {
    const presented = Buffer.from(hashApiKey(token), 'hex');
    let found: Principal | undefined;
    for (const key of keys)
      if (timingSafeEqual(key.hash, presented) && !found)
        found = { name: key.name, role: key.role, cities: [] };
    return found;
  };
}

/**
 * The credential of an `Authorization: Bearer <token>` header: undefined when there is no header, ''
 * when it is not a bearer (the gateway answers that apart from "no credentials": an anonymous
 * screen may read without any, never with a malformed one).
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : '';
}
