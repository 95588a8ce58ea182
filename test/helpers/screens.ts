/** A wall screen as the cluster tests watch one: a `/live` socket and what it was shown. */
import { io, type Socket } from 'socket.io-client';
import type { EventTransition } from '../../shared/schemas.js';

/** The newest transition of each event a screen on `url` was shown; its socket goes in `sockets` (closed by the caller). */
export function liveScreen(url: string, sockets: Socket[]): Map<string, EventTransition> {
  const seen = new Map<string, EventTransition>();
  const apply = (t: EventTransition) => {
    if ((seen.get(t.id)?.seq ?? 0) < t.seq) seen.set(t.id, t);
  };
  const socket = io(`${url}/live`, { transports: ['websocket'], forceNew: true });
  socket.on('snapshot', (s: { events: EventTransition[] }) => s.events.forEach(apply));
  socket.on('events', (batch: EventTransition[]) => batch.forEach(apply));
  sockets.push(socket);
  return seen;
}
