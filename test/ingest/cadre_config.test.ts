import { describe, expect, it } from 'vitest';
import { CadreError } from '../../shared/errors.js';
import { fixtureConfig } from './helpers.js';

describe('cadre.yaml', () => {
  it('is optional and takes its documented defaults', () => {
    expect(fixtureConfig().cadre).toEqual({
      locale: 'zh-CN',
      timeZone: 'Asia/Shanghai',
      http: {
        bodyLimit: 10 * 1024 * 1024,
        compressThreshold: 1024,
        frameAncestors: [],
        loginRateLimit: { max: 10, window: 60_000 },
        subscribeRateLimit: { max: 10, window: 10_000 },
        ingest: { maxItems: 10_000, maxItemBytes: 256 * 1024, maxRejectsListed: 1000 },
      },
      alertmanager: {
        ne: ['ne', 'instance'],
        grid: ['grid'],
        code: ['alertname'],
        severity: ['severity'],
        severities: { critical: 1, major: 2, minor: 3, warning: 3, info: 4 },
        category: ['category'],
        text: ['summary', 'description'],
      },
      nats: {
        replicas: 1,
        inputMaxAge: 7 * 86_400_000,
        eventsMaxAge: 30 * 86_400_000,
        dlqMaxAge: 30 * 86_400_000,
        duplicateWindow: 120_000,
        eventsDuplicateWindow: 600_000,
      },
      processor: { checkpointInterval: 5000, batchSize: 500, partitions: 'all' },
      leases: { ttl: 10_000, renewInterval: 1000 },
      commands: { previousKeys: [] },
    });
  });

  it('overrides single keys and names the path of a bad value', () => {
    const { cadre } = fixtureConfig({
      'cadre.yaml': 'http: {bodyLimit: 2048}\nprocessor: {checkpointInterval: 10}\n',
    });
    expect(cadre.http.bodyLimit).toBe(2048);
    expect(cadre.http.loginRateLimit.max).toBe(10);
    expect(cadre.processor.checkpointInterval).toBe(10_000);
    let error: CadreError | undefined;
    try {
      fixtureConfig({ 'cadre.yaml': 'nats: {replicas: 7}\n' });
    } catch (err) {
      error = err as CadreError;
    }
    expect(error?.code).toBe('CADRE_ERR_CONFIG');
    expect(error?.message).toMatch(/^cadre\.yaml: \/nats\/replicas: /);
  });

  it('takes an IANA time zone in any case and refuses an unknown one by name', () => {
    expect(fixtureConfig({ 'cadre.yaml': 'timeZone: europe/paris\n' }).cadre.timeZone).toBe('Europe/Paris');
    expect(() => fixtureConfig({ 'cadre.yaml': 'timeZone: Mars/Olympus\n' })).toThrow(
      /cadre\.yaml: unknown time zone "Mars\/Olympus"/,
    );
  });
});
