// Why an upload could not reach its happiness, in words a user can act on.

export interface UnhappyUpload {
  /** H: the happiness the upload needs */
  readonly happy: number;
  /** Storage servers connected when the upload started. */
  readonly connected: number;
  /** Servers that answered the share query and have not failed since. */
  readonly responding: number;
  /** Responding servers that accepted new shares (the rest are full or read-only). */
  readonly writable: number;
  /** The happiness reached, below `happy`. */
  readonly happiness: number;
}

/**
 * The first limit the upload ran into: too few servers connected, too few of them
 * responding, or too few with room for shares.
 */
export function unhappinessMessage(upload: UnhappyUpload): string {
  const { happy, connected, responding, writable, happiness } = upload;
  const needs = `upload needs ${servers(happy)} (happiness ${happy})`;
  if (connected === 0) return `${needs}, but none is connected`;
  if (connected < happy) return `${needs}, but only ${connected} ${isAre(connected)} connected`;
  if (responding < happy) return `${needs}: ${connected} ${isAre(connected)} connected, but only ${responding} responded`;
  const full = responding - writable;
  return (
    `shares could only be placed on ${servers(happiness)}; ${happy} ${isAre(happy)} needed ` +
    `(${responding} responded, ${full} of them ${full === 1 ? 'is' : 'are'} full or read-only)`
  );
}

function servers(n: number): string {
  return `${n} storage server${n === 1 ? '' : 's'}`;
}

function isAre(n: number): string {
  return n === 1 ? 'is' : 'are';
}
