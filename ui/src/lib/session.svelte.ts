/**
 * Who is logged in: the token and role from POST /api/login, kept in localStorage so a reload (or a
 * wall screen restart) stays logged in until the token expires.
 */
import type { Session } from './types.js';

const KEY = 'cadre.session';

function load(): Session | null {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
    if (s?.expiresAt && Date.parse(s.expiresAt) < Date.now()) return null;
    return s?.token ? s : null;
  } catch {
    return null;
  }
}

class SessionStore {
  current = $state<Session | null>(load());

  set(s: Session): void {
    this.current = s;
    localStorage.setItem(KEY, JSON.stringify(s));
  }

  clear(): void {
    this.current = null;
    localStorage.removeItem(KEY);
  }

  /** Actions are shown to a dispatcher of the event's city, and to an admin. */
  canAct(city: string): boolean {
    const s = this.current;
    if (!s) return false;
    return s.role === 'admin' || (s.role === 'dispatcher' && s.cities.includes(city));
  }
}

export const session = new SessionStore();
