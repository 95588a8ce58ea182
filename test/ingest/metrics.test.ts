import { describe, expect, it } from 'vitest';
import { registry } from '../../shared/metrics.js';

describe('metrics registry', () => {
  it('exposes every metric the contract names, in Prometheus text', async () => {
    const text = await registry.metrics();
    for (const name of [
      'cadre_ingested_total',
      'cadre_rejected_total',
      'cadre_processed_total',
      'cadre_processor_lag_seconds',
      'cadre_events_total',
      'cadre_socket_clients',
      'cadre_notifications_total',
    ])
      expect(text).toContain(`# TYPE ${name} `);
    expect(registry.contentType).toMatch(/^text\/plain/);
  });
});
