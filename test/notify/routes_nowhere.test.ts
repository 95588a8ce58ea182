/** The router acks, undecoded, a transition nobody gets (notify/router.ts routesNowhere). */
import { describe, expect, it } from 'vitest';
import { routesNowhere } from '../../notify/router.js';

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const event = (transition: string, extra: Record<string, unknown> = {}) =>
  bytes({ kind: 'event', id: '长沙_G1.outage.20261015T010100', seq: 4, transition, level: 'red', ...extra });

describe('routesNowhere', () => {
  it('is an updated or tracking no subscriber lists and that raised no level', () => {
    expect(routesNowhere(event('updated'), new Set())).toBe(true);
    expect(routesNowhere(event('tracking'), new Set(['commented']))).toBe(true);
  });

  it('is never an opening, an escalation, a resolve, a listed transition or a lift', () => {
    for (const t of ['opened', 'escalated', 'resolved'])
      expect(routesNowhere(event(t), new Set())).toBe(false);
    expect(routesNowhere(event('updated'), new Set(['updated']))).toBe(false);
    expect(routesNowhere(event('updated', { levelFrom: 'orange' }), new Set())).toBe(false);
  });

  it('leaves incidents and other shapes to the full decode', () => {
    expect(
      routesNowhere(bytes({ kind: 'incident', id: 'i', seq: 1, transition: 'updated' }), new Set()),
    ).toBe(false);
    expect(routesNowhere(bytes({ id: 'x', kind: 'event', seq: 1, transition: 'updated' }), new Set())).toBe(
      false,
    );
    expect(routesNowhere(new TextEncoder().encode('not json'), new Set())).toBe(false);
  });
});
