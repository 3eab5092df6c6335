// The grid's health in plain words, from what status reports. A file is spread so that any
// K (needed) of the servers holding it rebuild it; with S servers reachable an upload spreads
// over min(S, N) of them, so min(S, N) − K of them may go away and every new file still reads.
import type { StatusView } from './view-types.js';

export type HealthLevel = 'healthy' | 'degraded' | 'offline';

export interface GridHealth {
  readonly level: HealthLevel;
  /** one short sentence: "Safe even if 2 friends are offline" */
  readonly headline: string;
  /** one more sentence saying why */
  readonly detail: string;
  readonly serversConnected: number;
  readonly serversKnown: number;
  /** how many reachable servers may go offline with files still readable (0 when degraded) */
  readonly canLose: number;
}

function friends(count: number): string {
  return count === 1 ? '1 friend' : `${count} friends`;
}

function computers(count: number): string {
  return count === 1 ? '1 computer' : `${count} computers`;
}

export function gridHealth(status: StatusView): GridHealth {
  const { needed, happy, total } = status.encoding;
  const serversKnown = status.peers.length;
  const serversConnected = status.peers.filter((peer) => peer.connected).length;
  const base = { serversConnected, serversKnown };
  if (serversConnected === 0) {
    return { ...base, level: 'offline', canLose: 0, headline: 'Offline: no friends are reachable', detail: status.introducer.connected ? 'The introducer answers, but no storage server is connected yet.' : 'Neither the introducer nor any storage server can be reached. Check the network.' };
  }
  if (serversConnected < needed) {
    return { ...base, level: 'degraded', canLose: 0, headline: `At risk: only ${computers(serversConnected)} reachable`, detail: `Reading a file needs ${computers(needed)} that hold its shares; uploads wait until ${happy} are reachable.` };
  }
  if (serversConnected < happy) {
    return { ...base, level: 'degraded', canLose: 0, headline: `Degraded: ${serversConnected} of ${happy} computers reachable`, detail: `Files can still be read, but new uploads need ${computers(happy)} and wait until more friends come online.` };
  }
  const canLose = Math.min(serversConnected, total) - needed;
  return { ...base, level: 'healthy', canLose, headline: `Safe even if ${friends(canLose)} ${canLose === 1 ? 'is' : 'are'} offline`, detail: `Each file is cut into ${total} shares over ${computers(Math.min(serversConnected, total))}; any ${needed} rebuild it.` };
}
