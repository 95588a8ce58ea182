/** The mapping of one Alertmanager alert to a cadre alarm, by cadre.yaml `alertmanager` (pure). */
import { describe, expect, it } from 'vitest';
import { alarmsOfWebhook } from '../../ingest/alertmanager.js';
import { fixtureConfig } from './helpers.js';

const mapping = fixtureConfig().cadre.alertmanager;
const base = {
  status: 'firing',
  labels: { alertname: 'CELL_DOWN', instance: 'HY-SG-0005-CELL1', severity: 'major' },
  annotations: { summary: 'cell out' },
  startsAt: '2026-12-02T02:00:00.123456789Z',
  endsAt: '0001-01-01T00:00:00Z',
  fingerprint: 'f00d',
};
const one = (alert: object, m = mapping) => alarmsOfWebhook({ version: '4', alerts: [alert] }, m)[0];

describe('Alertmanager alert → alarm', () => {
  it('by default: ne from instance, code from alertname, severity by name, text from summary', () => {
    expect(one(base)).toEqual({
      index: 0,
      value: {
        id: 'f00d',
        ne: 'HY-SG-0005-CELL1',
        severity: 2,
        category: 'fault',
        code: 'CELL_DOWN',
        state: 'raised',
        time: '2026-12-02T02:00:00.123456789Z',
        text: 'cell out',
      },
    });
  });

  it('resolved clears at endsAt; the ne and grid labels win over instance', () => {
    const resolved = { ...base, status: 'resolved', endsAt: '2026-12-02T03:00:00Z' };
    expect(
      one({ ...resolved, labels: { ...base.labels, ne: 'HY-SG-0005-BTS1', grid: 'HY-SG-0005' } }),
    ).toMatchObject({
      value: { state: 'cleared', time: '2026-12-02T03:00:00Z', ne: 'HY-SG-0005-BTS1', grid: 'HY-SG-0005' },
    });
  });

  const rows: [string, Record<string, string>, string][] = [
    [
      'no ne',
      { alertname: 'X', severity: 'major' },
      'no label ne or instance for ne (cadre.yaml alertmanager.ne)',
    ],
    ['no code', { instance: 'e', severity: 'major' }, 'no label alertname for code'],
    ['no severity', { instance: 'e', alertname: 'X' }, 'no label severity for severity'],
    ['unknown severity', { instance: 'e', alertname: 'X', severity: 'page' }, 'severity "page" is not in'],
  ];
  for (const [name, labels, reason] of rows)
    it(`rejects an alert with ${name}, naming the label`, () => {
      const item = one({ ...base, labels });
      expect(item).toMatchObject({ reject: { code: 'CADRE_ERR_MISSING_LABEL' } });
      expect('reject' in item! && item.reject.reason).toContain(reason);
    });

  it('follows a custom mapping (cadre.yaml alertmanager)', () => {
    const custom = { ...mapping, ne: ['device'], severities: { p1: 1 as const } };
    expect(one({ ...base, labels: { device: 'E1', alertname: 'X', severity: 'P1' } }, custom)).toMatchObject({
      value: { ne: 'E1', severity: 1 },
    });
  });

  it('refuses a body that is not a version-4 payload', () => {
    expect(() => alarmsOfWebhook({ version: '3', alerts: [] }, mapping)).toThrow(/version "4"/);
    expect(() => alarmsOfWebhook([base], mapping)).toThrow(/alerts/);
  });
});
