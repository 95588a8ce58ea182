/**
 * Snapshot encoding: the core's state uses Maps and Sets (insertion-ordered, which the output's
 * order depends on); these turn them into plain JSON and back, keeping that order.
 */
type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

export function toPlain(value: unknown): Plain {
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [toPlain(k), toPlain(v)]) };
  if (value instanceof Set) return { $set: [...value].map(toPlain) };
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Plain> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toPlain(v);
    return out;
  }
  return value as Plain;
}

export function fromPlain<T>(value: unknown): T {
  return decode(value) as T;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  if (Array.isArray(obj.$map))
    return new Map((obj.$map as [unknown, unknown][]).map(([k, v]) => [decode(k), decode(v)]));
  if (Array.isArray(obj.$set)) return new Set((obj.$set as unknown[]).map(decode));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = decode(v);
  return out;
}
