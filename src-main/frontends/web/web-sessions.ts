// Who may use the web UI in a browser. The API token never goes in a URL (URLs end up in
// shell history, logs and browser history): `cairn run DIR --ui` prints a URL whose
// fragment (never sent to a server) holds a one-time login code; the page trades it for a
// session cookie (HttpOnly, SameSite=Strict) that the node keeps in memory only.
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a login code may wait to be used. */
const LOGIN_CODE_LIFETIME_MS = 15 * 60_000;
const MAX_PENDING_CODES = 16;
export const SESSION_COOKIE = 'cairn_session';

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class WebSessions {
  readonly #codes = new Map<string, number>();
  readonly #sessions = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new one-time login code. */
  newLoginCode(): string {
    const code = randomBytes(18).toString('base64url');
    this.#dropExpiredCodes();
    if (this.#codes.size >= MAX_PENDING_CODES) this.#codes.delete(this.#codes.keys().next().value!);
    this.#codes.set(code, this.now() + LOGIN_CODE_LIFETIME_MS);
    return code;
  }

  /** Uses up `code`; a new session id if it was valid and unused, else undefined. */
  logIn(code: string): string | undefined {
    this.#dropExpiredCodes();
    const match = [...this.#codes.keys()].find((known) => sameText(known, code));
    if (match === undefined) return undefined;
    this.#codes.delete(match);
    const session = randomBytes(32).toString('base64url');
    this.#sessions.add(session);
    return session;
  }

  isSession(session: string | undefined): boolean {
    if (session === undefined || session === '') return false;
    for (const known of this.#sessions) if (sameText(known, session)) return true;
    return false;
  }

  logOut(session: string | undefined): void {
    if (session !== undefined) this.#sessions.delete(session);
  }

  #dropExpiredCodes(): void {
    const now = this.now();
    for (const [code, expires] of this.#codes) if (expires <= now) this.#codes.delete(code);
  }
}

/** The session cookie's value in a Cookie header, if any. */
export function sessionCookieOf(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}
