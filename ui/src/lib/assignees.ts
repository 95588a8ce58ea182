/**
 * Whom an event or incident may be assigned to: access.yaml `assignees` offered for its city (a team
 * or person without cities is offered everywhere), and "other" for a typed name.
 */
import type { Settings } from './types.js';

/** The pick that means "type a name instead". */
export const OTHER = '\u0000other';

export function assigneesFor(
  assignees: Settings['assignees'],
  city: string | undefined,
): Settings['assignees'] {
  const forCity = (cities: string[] | undefined) => !cities || city === undefined || cities.includes(city);
  return {
    teams: assignees.teams.filter((x) => forCity(x.cities)),
    people: assignees.people.filter((x) => forCity(x.cities)),
  };
}

/** The name to send: the picked team or person, else the typed name. */
export function assigneeOf(pick: string, typed: string): string {
  return (pick && pick !== OTHER ? pick : typed).trim();
}
