/**
 * The pure decisions behind the receiver tests: quiet hours (a window across midnight, one within a
 * day, red never held, the end in the zone's local time) and what a failed webhook attempt leads to.
 */
import { describe, expect, it } from 'vitest';
import { quietUntil } from '../../notify/quiet.js';
import { afterWebhookFailure } from '../../notify/webhook.js';

const night = { quietHours: { from: '22:00', to: '07:00' } };
const at = (iso: string) => Date.parse(iso);

describe('quietUntil', () => {
  it('holds below red inside a window that crosses midnight, until its end in local time', () => {
    // 23:30 in Shanghai (UTC+8) is 15:30Z; the quiet hours end at 07:00 local = 23:00Z.
    expect(quietUntil(night, 'yellow', at('2026-12-01T15:30:00Z'), 'Asia/Shanghai')).toBe(
      at('2026-12-01T23:00:00Z'),
    );
    expect(quietUntil(night, 'orange', at('2026-12-01T20:00:00Z'), 'Asia/Shanghai')).toBe(
      at('2026-12-01T23:00:00Z'),
    );
    expect(quietUntil(night, 'red', at('2026-12-01T15:30:00Z'), 'Asia/Shanghai')).toBeUndefined();
    // 07:00 itself and the day are not quiet.
    expect(quietUntil(night, 'yellow', at('2026-12-01T23:00:00Z'), 'Asia/Shanghai')).toBeUndefined();
    expect(quietUntil(night, 'yellow', at('2026-12-02T04:00:00Z'), 'Asia/Shanghai')).toBeUndefined();
    expect(quietUntil({}, 'yellow', at('2026-12-01T15:30:00Z'), 'Asia/Shanghai')).toBeUndefined();
  });

  it('takes a window within one day, and another zone', () => {
    const lunch = { quietHours: { from: '12:00', to: '13:30' } };
    expect(quietUntil(lunch, 'blue', at('2026-07-01T16:10:20Z'), 'America/New_York')).toBe(
      at('2026-07-01T17:30:00Z'),
    );
    expect(quietUntil(lunch, 'blue', at('2026-07-01T18:00:00Z'), 'America/New_York')).toBeUndefined();
  });
});

describe('afterWebhookFailure', () => {
  const webhook = { retryDelays: [5000, 30_000], maxRetryAfter: 3_600_000 };
  const fail = (status?: number, retryAfterMs?: number) => ({
    ok: false as const,
    error: status ? `HTTP ${status}` : 'ECONNREFUSED',
    ...(status ? { status } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });

  it('410 disables, other 4xx but 408/429 give up at once, 408/429/5xx follow the ladder', () => {
    expect(afterWebhookFailure(fail(410), 1, 0, webhook)).toEqual({
      giveUp: true,
      reason: 'HTTP 410',
      disable: true,
    });
    for (const s of [400, 401, 403, 404, 413, 422])
      expect(afterWebhookFailure(fail(s), 1, 0, webhook)).toEqual({
        giveUp: true,
        reason: `HTTP ${s}: refused by the receiver, not retried`,
      });
    for (const s of [408, 429, 500, 503, undefined])
      expect(afterWebhookFailure(fail(s), 1, 0, webhook)).toEqual({ retryIn: 5000 });
    expect(afterWebhookFailure(fail(500), 3, 40_000, webhook)).toEqual({ giveUp: true, reason: 'HTTP 500' });
  });

  it('Retry-After replaces the delay, floored at 1 s and capped, and does not use up the ladder', () => {
    expect(afterWebhookFailure(fail(429, 2000), 1, 0, webhook)).toEqual({ retryIn: 2000 });
    expect(afterWebhookFailure(fail(503, 0), 1, 0, webhook)).toEqual({ retryIn: 1000 });
    expect(afterWebhookFailure(fail(503, 86_400_000), 1, 0, webhook)).toEqual({ retryIn: 3_600_000 });
    // Past the ladder's attempts but younger than its span: still owed.
    expect(afterWebhookFailure(fail(429, 1000), 5, 4000, webhook)).toEqual({ retryIn: 1000 });
    expect(afterWebhookFailure(fail(500), 5, 4000, webhook)).toEqual({ retryIn: 30_000 });
    expect(afterWebhookFailure(fail(429, 1000), 5, 35_000, webhook)).toEqual({
      giveUp: true,
      reason: 'HTTP 429',
    });
  });
});
