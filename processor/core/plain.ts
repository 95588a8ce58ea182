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

/**
 * `JSON.stringify(toPlain(value))`, byte for byte, handed to `write` in pieces, without building the
 * plain copy nor the whole text: Maps, Sets and arrays are written element by element down to
 * `depth` levels, and each element below as one JSON.stringify whose Maps and Sets become
 * `$map`/`$set` as the text is made. A checkpoint of a five-day 2,000-grid state was a plain copy
 * as large as the state and a ~37M-character string (~75 MB, two bytes a character with Chinese
 * text), on the shadow core's thread every few seconds (bench soak).
 */
export function writePlainJSON(value: unknown, write: (text: string) => void, depth = 4): void {
  const v = plainReplacer('', value);
  if (depth <= 0 || v === null || typeof v !== 'object' || 'toJSON' in v) return write(stringify(v));
  if (Array.isArray(v)) {
    write('[');
    v.forEach((item, i) => {
      if (i) write(',');
      writePlainJSON(item, write, depth - 1);
    });
    return write(']');
  }
  write('{');
  let first = true;
  for (const [key, item] of Object.entries(v)) {
    // As JSON.stringify: properties it would leave out are left out.
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    write(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    writePlainJSON(item, write, depth - 1);
  }
  write('}');
}

/** One value's text; inside an array or at the top, what JSON.stringify leaves out is `null`. */
const stringify = (value: unknown): string => JSON.stringify(value, plainReplacer) ?? 'null';

function plainReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return { $map: [...value] };
  if (value instanceof Set) return { $set: [...value] };
  return value;
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
