/** access.yaml: users with roles and cities, ingest API keys, and whether wall screens may watch anonymously. */
import { Type, type StaticDecode } from '@sinclair/typebox';
import { duration, oneOf, section } from './schema_helpers.js';

export const ROLES = ['viewer', 'dispatcher', 'admin', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

export const AccessSchema = section({
  users: Type.Array(
    Type.Object({
      name: Type.String({ minLength: 1 }),
      passwordHash: Type.String({ pattern: '^scrypt\\$' }),
      role: oneOf(['viewer', 'dispatcher', 'admin'] as const),
      cities: Type.Optional(Type.Array(Type.String())),
    }),
    { default: [] },
  ),
  apiKeys: Type.Array(
    Type.Object({
      name: Type.String({ minLength: 1 }),
      keyHash: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'hex sha256 of the key' }),
      role: oneOf(['ingest', 'admin'] as const, 'ingest'),
    }),
    { default: [] },
  ),
  anonymousViewer: Type.Boolean({ default: false }),
  /** Deal: the roles that may resolve an event naming evidence alarms unrelated to it. */
  unrelatedResolve: Type.Array(oneOf(['dispatcher', 'admin'] as const), { default: ['dispatcher', 'admin'] }),
  /**
   * Extension: the people and teams a dispatcher assigns events to (the desk's assign list). A team
   * or person without `cities` is offered for every city. No phone numbers here: notify.yaml has them.
   */
  assignees: Type.Optional(
    section({
      teams: Type.Array(
        Type.Object({
          name: Type.String({ minLength: 1 }),
          cities: Type.Optional(Type.Array(Type.String())),
        }),
        { default: [] },
      ),
      people: Type.Array(
        Type.Object({
          name: Type.String({ minLength: 1 }),
          team: Type.Optional(Type.String()),
          cities: Type.Optional(Type.Array(Type.String())),
        }),
        { default: [] },
      ),
    }),
  ),
  /** Extension: how long a login token is valid. */
  tokenTtl: duration('12h'),
});
export type Access = StaticDecode<typeof AccessSchema>;
