/**
 * Who is asking, and what they may see and do. One place for the role and city rules, shared by the
 * HTTP routes and Socket.IO.
 */
import type { Role } from '../config/access.js';
import type { Principal } from '../config/api_keys.js';
import type { Action } from '../shared/schemas.js';

export type { Principal };

export const ANONYMOUS_VIEWER: Principal = { name: 'anonymous', role: 'viewer', cities: [], anonymous: true };

/** Roles that may read events, grids, scorecards (the ingest key may only ingest). */
export const READER_ROLES: readonly Role[] = ['viewer', 'dispatcher', 'admin'];

export function canRead(p: Principal): boolean {
  return READER_ROLES.includes(p.role);
}

/**
 * May this principal act (ack, assign, …) on an event of `city`? A customer's satisfaction answer
 * also comes from the SMS gateway's callback, with an ingest key.
 */
export function canActOn(p: Principal, city: string, action?: Action): boolean {
  if (p.role === 'admin') return true;
  if (action === 'satisfaction' && p.role === 'ingest') return true;
  return p.role === 'dispatcher' && p.cities.includes(city);
}

/**
 * The cities a live screen of this principal may follow: null = all. Viewers and dispatchers with
 * cities are held to them; a dispatcher without cities sees all (read is open to any reader).
 */
export function readScope(p: Principal): string[] | null {
  if (p.role === 'admin' || p.cities.length === 0) return null;
  return p.cities;
}

/** The narrowed scope for `subscribe {city}`, or undefined when the city is outside the principal's. */
export function narrowScope(p: Principal, city: string | null): string[] | null | undefined {
  const allowed = readScope(p);
  if (city === null) return allowed;
  if (allowed && !allowed.includes(city)) return undefined;
  return [city];
}

export function inScope(scope: string[] | null, city: string): boolean {
  return scope === null || scope.includes(city);
}
