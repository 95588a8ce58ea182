/**
 * An HTTP ingest body as items: split (a JSON array or one object, or NDJSON), then screened by the
 * one gate (normalize + the time range against the clock). Pure. A body that is not JSON at all is
 * the request's fault (400); one bad NDJSON line is only that item's.
 */
import { CadreError, reject, type ErrorCode, type Reject } from '../shared/errors.js';
import type { ProducerType } from '../shared/schemas.js';
import type { Config } from '../config/load.js';
import { checkTimeRange, normalize, parseJson } from '../contract/normalize.js';
import { publishItemOf, type ProducerInput, type PublishItem } from '../broker/publish.js';

/** An item of a batch by its index: the array index, or the 0-based line number in NDJSON. */
export type BatchItem = { index: number; value: unknown } | { index: number; reject: Reject };

export type MediaType = 'json' | 'ndjson';

/** The batch's media from a Content-Type: `application/json` is JSON, NDJSON and text/plain are lines. */
export function mediaTypeOf(contentType: string | undefined): MediaType {
  const essence = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return essence === 'application/json' ? 'json' : 'ndjson';
}

/**
 * The items of a body. JSON: an array of messages, or a single message object. NDJSON: one message
 * a line, blank lines skipped; a text/plain body that starts with `[` is read as a JSON array too.
 * Throws CadreError (CADRE_ERR_BAD_JSON / CADRE_ERR_BAD_REQUEST) when the body as a whole is unusable.
 */
export function splitBatch(body: string, media: MediaType): BatchItem[] {
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body; // a byte-order mark is not JSON
  if (media === 'json' || text.trimStart().startsWith('[')) return jsonItems(text);
  const items: BatchItem[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (!line) continue;
    const parsed = parseJson(line);
    items.push(parsed.ok ? { index, value: parsed.value } : { index, reject: parsed.reject });
  }
  return items;
}

function jsonItems(text: string): BatchItem[] {
  if (!text.trim())
    throw new CadreError('CADRE_ERR_BAD_JSON', 'the body is empty: send a JSON array of messages');
  const parsed = parseJson(text);
  if (!parsed.ok) throw new CadreError('CADRE_ERR_BAD_JSON', parsed.reject.reason);
  const { value } = parsed;
  if (Array.isArray(value)) return value.map((item, index) => ({ index, value: item }));
  if (typeof value === 'object' && value !== null) return [{ index: 0, value }];
  throw new CadreError('CADRE_ERR_BAD_REQUEST', 'the body must be a JSON array of messages (or NDJSON)');
}

export interface ScreenedBatch {
  /** Valid inputs with their messages as stored (serialized once, here). */
  valid: { input: ProducerInput; item: PublishItem }[];
  rejected: { index: number; reason: string; code: ErrorCode }[];
}

/**
 * Normalizes each item as `type`, checks its time against `now` and its size against
 * `maxItemBytes` (a message NATS would refuse must be one item's reject, not the request's); keeps
 * the rejects by index.
 */
export function screenBatch(
  items: readonly BatchItem[],
  type: ProducerType,
  config: Pick<Config, 'topology' | 'rules'>,
  now: number,
  maxItemBytes: number,
): ScreenedBatch {
  const { maxAge, maxFuture } = config.rules;
  const screened: ScreenedBatch = { valid: [], rejected: [] };
  const refuse = (index: number, why: Reject) =>
    screened.rejected.push({ index, reason: why.reason, code: why.code });
  for (const item of items) {
    if ('reject' in item) {
      refuse(item.index, item.reject);
      continue;
    }
    const result = normalize(item.value, type, config.topology);
    if (!result.ok) {
      refuse(item.index, result.reject);
      continue;
    }
    const input = result.input as ProducerInput;
    const late = checkTimeRange(input.time, now, maxAge, maxFuture);
    if (late) {
      refuse(item.index, late);
      continue;
    }
    const stored = publishItemOf(input);
    const bytes = Buffer.byteLength(stored.data as string);
    if (bytes > maxItemBytes)
      refuse(
        item.index,
        reject(
          'CADRE_ERR_TOO_LARGE',
          `the item is ${bytes} bytes, more than ${maxItemBytes} (cadre.yaml http.ingest.maxItemBytes)`,
        ),
      );
    else screened.valid.push({ input, item: stored });
  }
  return screened;
}
