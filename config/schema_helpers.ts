/** Small builders for config schemas: every key optional, with its default written beside it. */
import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import { parseDuration } from '../shared/time.js';

const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w)?\\s*$';

/** A duration in config (seconds, or "90s", "15m", "8h", "30d"), decoded to milliseconds. */
export function duration(defaultValue: string | number) {
  return Type.Transform(
    Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: DURATION_PATTERN })], {
      default: defaultValue,
      description: 'a number of seconds or a string such as "90s", "15m", "8h", "30d"',
    }),
  )
    .Decode((v) => parseDuration(v))
    .Encode((ms) => ms / 1000);
}

export function num(defaultValue: number, options: { minimum?: number; maximum?: number } = {}) {
  return Type.Number({ default: defaultValue, ...options });
}

export function int(defaultValue: number, options: { minimum?: number; maximum?: number } = {}) {
  return Type.Integer({ default: defaultValue, ...options });
}

/** An object whose own absence means "all defaults". */
export function section<T extends TProperties>(properties: T) {
  return Type.Object(properties, { default: {} });
}

export function oneOf<const T extends readonly string[]>(values: T, defaultValue?: T[number]) {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    defaultValue === undefined ? {} : { default: defaultValue },
  ) as unknown as TSchema & { static: T[number] };
}

/** An IANA time zone name ("Asia/Shanghai"), checked against the runtime's own zone data. */
export function timeZone(defaultValue: string) {
  return Type.Transform(
    Type.String({ default: defaultValue, description: 'an IANA time zone name such as "Asia/Shanghai"' }),
  )
    .Decode((name) => {
      try {
        return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
      } catch {
        throw new Error(`unknown time zone "${name}" (an IANA name such as "Asia/Shanghai")`);
      }
    })
    .Encode((name) => name);
}
