/**
 * The wire form of a batch of CADRE_IN messages handed from the feeder thread to the processor: the
 * payloads back to back in one transferred buffer, with parallel typed arrays for where each ends,
 * its stream sequence, when the broker stored it, and its subject (an index into the batch's few
 * distinct subjects). One
 * `postMessage` per batch, and no per-message object crosses the thread boundary.
 */
export interface FeedBatch {
  subjects: string[];
  subjectOf: Uint16Array;
  seq: Float64Array;
  /** When the broker stored each message (epoch ms): the arrival time the core judges absurd times by. */
  storedAt: Float64Array;
  /** End offset of each payload in `data` (the start is the previous end). */
  end: Uint32Array;
  data: Uint8Array;
  count: number;
  /** Messages left in the stream after the batch's last message. */
  pending: number;
}

/** One message of a batch as the processor's intake takes it. */
export interface FeedMessage {
  subject: string;
  seq: number;
  data: Uint8Array;
  /** Epoch ms at which the broker stored it. */
  storedAt: number;
}

export class FeedBatchWriter {
  private subjects: string[] = [];
  private subjectIndex = new Map<string, number>();
  private subjectOf: Uint16Array;
  private seq: Float64Array;
  private storedAt: Float64Array;
  private end: Uint32Array;
  private data: Uint8Array;
  count = 0;
  private bytes = 0;
  private pending = 0;

  constructor(
    readonly maxMessages: number,
    private readonly initialBytes = 256 * 1024,
  ) {
    this.subjectOf = new Uint16Array(maxMessages);
    this.seq = new Float64Array(maxMessages);
    this.storedAt = new Float64Array(maxMessages);
    this.end = new Uint32Array(maxMessages);
    this.data = new Uint8Array(initialBytes);
  }

  get full(): boolean {
    return this.count >= this.maxMessages;
  }

  add(subject: string, seq: number, payload: Uint8Array, pending: number, storedAtMs: number): void {
    let index = this.subjectIndex.get(subject);
    if (index === undefined) {
      index = this.subjects.push(subject) - 1;
      this.subjectIndex.set(subject, index);
    }
    if (this.bytes + payload.length > this.data.length) {
      const grown = new Uint8Array(Math.max(this.data.length * 2, this.bytes + payload.length));
      grown.set(this.data.subarray(0, this.bytes));
      this.data = grown;
    }
    this.data.set(payload, this.bytes);
    this.bytes += payload.length;
    this.subjectOf[this.count] = index;
    this.seq[this.count] = seq;
    this.storedAt[this.count] = storedAtMs;
    this.end[this.count] = this.bytes;
    this.count++;
    this.pending = pending;
  }

  /** The batch so far (its buffers are to be transferred), and a fresh writer state. */
  take(): FeedBatch {
    const batch: FeedBatch = {
      subjects: this.subjects,
      subjectOf: this.subjectOf,
      seq: this.seq,
      storedAt: this.storedAt,
      end: this.end,
      data: this.data,
      count: this.count,
      pending: this.pending,
    };
    this.subjects = [];
    this.subjectIndex = new Map();
    this.subjectOf = new Uint16Array(this.maxMessages);
    this.seq = new Float64Array(this.maxMessages);
    this.storedAt = new Float64Array(this.maxMessages);
    this.end = new Uint32Array(this.maxMessages);
    this.data = new Uint8Array(this.initialBytes);
    this.count = 0;
    this.bytes = 0;
    return batch;
  }
}

/** Calls `each` for every message of a batch, in order. */
export function forEachMessage(batch: FeedBatch, each: (m: FeedMessage) => void): void {
  let start = 0;
  for (let i = 0; i < batch.count; i++) {
    const end = batch.end[i];
    each({
      subject: batch.subjects[batch.subjectOf[i]],
      seq: batch.seq[i],
      storedAt: batch.storedAt[i],
      data: batch.data.subarray(start, end),
    });
    start = end;
  }
}

export const transferListOf = (b: FeedBatch): ArrayBuffer[] =>
  [b.subjectOf.buffer, b.seq.buffer, b.storedAt.buffer, b.end.buffer, b.data.buffer] as ArrayBuffer[];

/**
 * The feeder's flow control counts messages in Int32s (the shared counter is an Int32Array): a
 * processor running for months passes 2^31 messages, so both counters wrap, and their difference,
 * taken modulo 2^32, stays right while it is below 2^31.
 */
export const wrappingAdd = (counter: number, n: number): number => (counter + n) | 0;
export const messagesBehind = (posted: number, consumed: number): number => (posted - consumed) | 0;
