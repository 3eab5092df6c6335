// What the introducer code logs through. Never handed secrets: peer ids, addresses,
// nicknames and error messages only.

/** The four levels Cairn logs at; NodeLog (src-main/node/node-log.ts) fits this shape. */
export interface IntroducerLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: IntroducerLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
