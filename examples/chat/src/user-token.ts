/**
 * The user token: what `login` hands back, by reference. It is the client's only capability in
 * the room (RPyC's demo: "the client uses this user-token for performing actions on behalf of
 * the user"). After logout, or once the server dropped the user, every method throws
 * `RPYC_ERR_CHAT_LOGGED_OUT`.
 */

/**
 * What a token needs from its room. The room implements it and decides whether the token is
 * still live (a token holds no state of its own that a client could tamper with).
 */
export interface TokenHost {
  say(token: UserToken, text: unknown): void;
  leave(token: UserToken, reason: string): void;
  members(token: UserToken): string[];
  nameOf(token: UserToken): string;
}

/**
 * One logged-in user, as seen by that user's client.
 *
 * @example
 * const token = await conn.root.login("foo", "bar", onMessage);
 * await token.say("hello world");
 * await token.logout();
 */
export class UserToken {
  readonly #host: TokenHost;

  constructor(host: TokenHost) {
    this.#host = host;
  }

  /** Sends `text` to everyone in the room (the sender included). */
  say(text: string): void {
    this.#host.say(this, text);
  }

  /** Leaves the room; everyone else is told. The token is useless afterwards. */
  logout(): void {
    this.#host.leave(this, "logged out");
  }

  /** The user names online now, sorted. */
  who(): string[] {
    return this.#host.members(this);
  }

  /** The name this token acts for. */
  whoami(): string {
    return this.#host.nameOf(this);
  }
}
