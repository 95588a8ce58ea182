/** Compiled validators that name the field and the rule broken. */
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

export interface Validator<T extends TSchema> {
  check(value: unknown): value is Static<T>;
  /** The first problem as `path: message`, e.g. `/customer/tier: Expected union value`. */
  explain(value: unknown): string;
}

export function compile<T extends TSchema>(schema: T): Validator<T> {
  const checker: TypeCheck<T> = TypeCompiler.Compile(schema);
  return {
    check: (value): value is Static<T> => checker.Check(value),
    explain: (value) => describeErrors(checker, value),
  };
}

function describeErrors(checker: TypeCheck<TSchema>, value: unknown): string {
  // The deepest error is the most specific one: a union reports its own failure before the member's.
  const errors = [...checker.Errors(value)].slice(0, 8);
  if (errors.length === 0) return 'invalid';
  const first = errors.reduce((a, b) => (b.path.length > a.path.length ? b : a));
  const allowed = first.schema.anyOf
    ? ` (one of ${first.schema.anyOf.map((s: { const?: unknown }) => JSON.stringify(s.const)).join(', ')})`
    : '';
  return `${first.path || '/'}: ${first.message}${allowed}`;
}
