/**
 * Deal on the desk (CONTRACT.md "Deal"): what a work order's state means to a dispatcher, and the
 * planned times a dispatcher types. Those are wall-clock times of the operator's zone (cadre.yaml
 * `timeZone`), like every time the screens show, not of the browser's.
 */
import { zoned } from './format.js';
import type { EventTransition } from './types.js';

export type WorkOrder = NonNullable<EventTransition['workOrders']>[number];

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DDTHH:mm` of an instant in the configured zone: the value of a datetime-local input. */
export function zonedInput(ms: number): string {
  const d = zoned(ms);
  return `${d.year}-${pad(d.month)}-${pad(d.day)}T${pad(d.hour)}:${pad(d.minute)}`;
}

/** The instant a datetime-local value names in the configured zone (NaN when it is no such value). */
export function fromZonedInput(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return NaN;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  // The zone's offset at the guess, twice: right across a DST change too.
  let at = wall;
  for (let i = 0; i < 2; i++) {
    const z = zoned(at);
    const shown = Date.UTC(z.year, z.month - 1, z.day, z.hour, z.minute, z.second);
    at = wall - (shown - Math.floor(at / 1000) * 1000);
  }
  return at;
}

/**
 * Whether a work order had its first response: a contact attempt, or the event's acknowledgement
 * after the complaint had joined (the processor counts both; the order does not carry the instant).
 */
export function responded(order: WorkOrder, ackAt: string | undefined): boolean {
  return !!order.contact || (ackAt !== undefined && Date.parse(ackAt) >= Date.parse(order.receivedAt));
}

/** The acknowledgement of an event, from its history (the last one: a resumed event may be acknowledged again). */
export function ackedAt(history: EventTransition[]): string | undefined {
  return history.findLast((h) => h.transition === 'acknowledged')?.at;
}
