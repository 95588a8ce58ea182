/** The gateway tells a KV event document it already holds from its first bytes (gateway/state.ts). */
import { describe, expect, it } from 'vitest';
import { peekEventSeq } from '../../gateway/state.js';

const bytes = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

describe('peekEventSeq', () => {
  it('reads the seq of an event document as the processor writes it', () => {
    const id = 'HY-SG-0005.outage.20261015T010100-2';
    expect(peekEventSeq(id, bytes({ kind: 'event', id, seq: 12, transition: 'updated' }))).toBe(12);
    expect(peekEventSeq(id, bytes({ kind: 'event', id, seq: 1 }))).toBe(1);
  });

  it('answers nothing for anything else, which is then parsed in full', () => {
    const id = 'G.kpi.20261015T010100';
    expect(peekEventSeq(id, bytes({ kind: 'incident', id, seq: 3 }))).toBeUndefined();
    expect(peekEventSeq(id, bytes({ kind: 'event', id: 'other', seq: 3 }))).toBeUndefined();
    expect(peekEventSeq(id, bytes({ id, kind: 'event', seq: 3 }))).toBeUndefined();
    expect(peekEventSeq(id, bytes({ kind: 'event', id, seq: '3' }))).toBeUndefined();
    expect(peekEventSeq(id, bytes(`{"kind":"event","id":"${id}","seq":`))).toBeUndefined();
    expect(peekEventSeq(`${id}x`, bytes({ kind: 'event', id, seq: 3 }))).toBeUndefined();
    expect(peekEventSeq('x_e995bf', bytes({ kind: 'event', id: 'x_e995bf', seq: 3 }))).toBeUndefined();
  });
});
