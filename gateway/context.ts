/** What the route plugins share: config, NATS handles, the read model and the clock. */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Config } from '../config/load.js';
import type { DayCalendar } from '../shared/calendar.js';
import type { ReadModel } from './state.js';
import type { CommandKeys } from '../shared/command_signature.js';

export interface GatewayContext {
  config: Config;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  model: ReadModel;
  now: () => number;
  /** The operator's days (cadre.yaml `timeZone`): scorecard periods and reports. */
  calendar: DayCalendar;
  /** Signs the commands the gateway sends (cadre.yaml `commands`). */
  commandKeys: CommandKeys | undefined;
  /** How long an action waits for the processor's reply before answering 503. */
  commandTimeoutMs: number;
  /** When the processor counts as caught up for /readyz. */
  ready: { maxPending: number; maxLagSeconds: number };
}
