import { describe, expect, it } from 'vitest';
import { addDays, DayCalendar } from '../../shared/calendar.js';

const t = (iso: string) => Date.parse(iso);

describe('DayCalendar', () => {
  it('splits Asia/Shanghai days at local midnight (16:00 UTC), not at UTC midnight', () => {
    const cal = new DayCalendar('Asia/Shanghai');
    expect(cal.key(t('2025-03-09T15:59:59.999Z'))).toBe('2025-03-09');
    expect(cal.key(t('2025-03-09T16:00:00.000Z'))).toBe('2025-03-10');
    // 07:59 in Changsha on the 10th is the 10th, though UTC still says the 9th.
    expect(cal.key(t('2025-03-09T23:59:00Z'))).toBe('2025-03-10');
    expect(cal.key(t('2025-03-10T15:59:59Z'))).toBe('2025-03-10');
    expect(cal.startOf('2025-03-10')).toBe(t('2025-03-09T16:00:00Z'));
    expect(cal.offset(t('2025-03-10T00:00:00Z'))).toBe(8 * 3_600_000);
  });

  it('answers the same whatever order it is asked in (the cached day is no shortcut past its end)', () => {
    const cal = new DayCalendar('Asia/Shanghai');
    const times = ['2025-03-10T10:00Z', '2025-03-09T10:00Z', '2025-03-10T15:59:59.999Z', '2025-03-10T16:00Z'];
    expect(times.map((x) => cal.key(t(x)))).toEqual(['2025-03-10', '2025-03-09', '2025-03-10', '2025-03-11']);
  });

  it('keeps days of 23 and 25 hours across DST changes (Europe/Berlin)', () => {
    const cal = new DayCalendar('Europe/Berlin');
    expect(cal.startOf('2025-03-30')).toBe(t('2025-03-29T23:00:00Z'));
    expect(cal.startOf('2025-03-31')).toBe(t('2025-03-30T22:00:00Z'));
    expect(cal.startOf('2025-10-27') - cal.startOf('2025-10-26')).toBe(25 * 3_600_000);
    expect(cal.key(t('2025-03-30T21:59:59Z'))).toBe('2025-03-30');
    expect(cal.key(t('2025-03-30T22:00:00Z'))).toBe('2025-03-31');
  });

  it('lists the days of a span and steps over month and year ends', () => {
    const cal = new DayCalendar('Asia/Shanghai');
    expect(cal.between(t('2025-12-30T17:00Z'), t('2026-01-01T15:00Z'))).toEqual(['2025-12-31', '2026-01-01']);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
  });
});
