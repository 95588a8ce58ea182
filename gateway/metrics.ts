/**
 * The gateway's Prometheus metrics. They live in prom-client's default registry and are looked up
 * before being created, so several gateways in one process (tests) and a later shared/metrics.ts that
 * defines the same names do not collide: moving them there is a cut and paste.
 */
import { Gauge, register } from 'prom-client';

function gauge(name: string, help: string): Gauge {
  return (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help });
}

/** Contract metric: Socket.IO `/live` clients connected now. */
export const socketClients = gauge('cadre_socket_clients', 'Socket.IO /live clients connected');

export { register as metricsRegistry };
