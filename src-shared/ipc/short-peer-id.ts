/** A peer id short enough for a table: its first 6 and last 4 characters. */
export function shortPeerId(peerId: string): string {
  return peerId.length <= 14 ? peerId : `${peerId.slice(0, 6)}…${peerId.slice(-4)}`;
}
