/**
 * SMS texts, short enough for one message (`sms.maxLength`, 70 characters for a Chinese text):
 * a lone transition as itself, a fold of several as one summary. Pure: names come in, the text out.
 */
import type { EventTransition, IncidentTransition } from '../shared/schemas.js';
import { LEVELS } from '../shared/levels.js';

export interface Names {
  city(id: string): string;
  grid(id: string): string;
}

/** `cadre red opened 芙蓉区_曙光电子厂: outage, 3 elements` — escalations name their step. */
export function loneText(t: EventTransition | IncidentTransition, maxLength: number): string {
  const what = t.transition === 'escalated' ? `escalated step ${t.escalationStep}` : t.transition;
  return fit(`cadre ${t.level} ${what} `, t.title, maxLength);
}

/**
 * `cadre 长沙 12 events: 3 red 9 orange; latest 芙蓉区_曙光电子厂 outage red`. Events are counted
 * once each, at the level of their newest transition; "latest" is the newest by event time.
 */
export function summaryText(
  transitions: readonly (EventTransition | IncidentTransition)[],
  names: Names,
  maxLength: number,
): string {
  const newest = new Map<string, EventTransition | IncidentTransition>();
  for (const t of transitions) {
    const held = newest.get(t.id);
    if (!held || t.seq > held.seq) newest.set(t.id, t);
  }
  const events = [...newest.values()];
  const cities = [...new Set(events.map((t) => t.city))];
  const where = cities.length === 1 ? names.city(cities[0]) : `${cities.length} cities`;
  const counts = LEVELS.map((level) => [level, events.filter((t) => t.level === level).length] as const)
    .filter(([, n]) => n > 0)
    .map(([level, n]) => `${n} ${level}`)
    .join(' ');
  const latest = events.reduce((a, b) => (b.at > a.at ? b : a));
  const head = `cadre ${where} ${events.length} event${events.length === 1 ? '' : 's'}: ${counts}`;
  const tail =
    latest.kind === 'incident'
      ? `; latest ${latest.title}`
      : `; latest ${names.grid(latest.grid)} ${latest.rule} ${latest.level}`;
  return head.length + tail.length <= maxLength ? head + tail : fit('', head, maxLength);
}

/** `prefix + text`, the text shortened with an ellipsis when the whole is too long. */
function fit(prefix: string, text: string, maxLength: number): string {
  if (prefix.length + text.length <= maxLength) return prefix + text;
  return (prefix + text.slice(0, Math.max(0, maxLength - prefix.length - 1)) + '…').slice(0, maxLength);
}
