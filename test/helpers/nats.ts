/**
 * One real nats-server per test file: the server picks its port, the store is a fresh temporary folder,
 * and both go away in afterAll. Integration tests never mock the broker.
 */
import { afterAll, beforeAll } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNatsServer, type RunningNatsServer } from '../../broker/nats_server.js';

export interface NatsFixture {
  server: RunningNatsServer;
  url: string;
  /** A client connection, closed in afterAll. */
  nc: NatsConnection;
}

/** Registers beforeAll/afterAll hooks; the returned object is filled in before the first test runs. */
export function useNats(): NatsFixture {
  const fixture = {} as NatsFixture;
  beforeAll(async () => {
    fixture.server = await startNatsServer();
    fixture.url = fixture.server.url;
    fixture.nc = await connect({ servers: fixture.url });
  }, 30_000);
  afterAll(async () => {
    await fixture.nc?.close();
    await fixture.server?.stop();
  });
  return fixture;
}
