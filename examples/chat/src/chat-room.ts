/**
 * The room: who is logged in, and how messages reach them. Plain TypeScript with no connection
 * in sight (tests drive it directly); `ChatService` puts it on the wire.
 *
 * Delivery: every member has a `DeliveryQueue` in front of their callback, so a broadcast
 * returns at once and a slow or dead member never holds up the others. A member whose callback
 * fails, times out or falls `maxQueued` events behind is dropped and announced as gone.
 */
import type { ChatEvent } from "./chat-event.ts";
import { DEFAULT_DELIVERY_LIMITS, DeliveryQueue, type DeliveryLimits } from "@rpyc/core";
import { ChatError } from "./errors.ts";
import { releaseQuietly } from "./release-quietly.ts";
import { USER_NAME_PATTERN, type UserStore } from "./user-store.ts";
import { UserToken, type TokenHost } from "./user-token.ts";

/** What a member's client hands `login`: called once per event, by reference over the wire. */
export type MessageCallback = (event: ChatEvent) => unknown;

/** Bounds of one room. */
export interface ChatLimits extends DeliveryLimits {
  /** Users online at once. */
  maxMembers: number;
  /** Longest message, in characters. */
  maxTextLength: number;
}

/**
 * The limits a `ChatRoom` uses unless told otherwise (delivery limits included).
 *
 * @example
 * new ChatRoom(store, { limits: { ...DEFAULT_CHAT_LIMITS, maxMembers: 10 } });
 */
export const DEFAULT_CHAT_LIMITS: Readonly<ChatLimits> = Object.freeze({
  ...DEFAULT_DELIVERY_LIMITS,
  maxQueued: 256,
  maxMembers: 100,
  maxTextLength: 2000,
});

export interface ChatRoomOptions {
  limits?: Partial<ChatLimits>;
  /** The clock for event times (tests inject one). Default `Date.now`. */
  now?: () => number;
  /** Told about joins, leaves and drops, for the server's log. Default: silent. */
  log?: (line: string) => void;
}

interface Member {
  name: string;
  callback: MessageCallback;
  queue: DeliveryQueue<ChatEvent>;
}

/**
 * A chat room: log in with a callback, get a token, talk.
 *
 * @example
 * const room = new ChatRoom(await UserStore.load("users.json"));
 * const token = await room.login("foo", "bar", (e) => console.log(formatChatEvent(e)));
 * token.say("hello world");
 */
export class ChatRoom implements TokenHost {
  readonly #users: UserStore;
  readonly #limits: ChatLimits;
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  readonly #members = new Map<UserToken, Member>();
  // Why each ended token ended, for a clear error when it is used again.
  readonly #ended = new WeakMap<UserToken, { name: string; reason: string }>();

  constructor(users: UserStore, options: ChatRoomOptions = {}) {
    this.#users = users;
    this.#limits = { ...DEFAULT_CHAT_LIMITS, ...options.limits };
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? (() => {});
  }

  /**
   * Checks the credentials, then joins the room: everyone (the newcomer included) hears about
   * it through their callback. Throws `ChatError` on bad credentials, a user already online, a
   * full room or a malformed argument.
   */
  async login(name: unknown, password: unknown, onMessage: unknown): Promise<UserToken> {
    try {
      await this.#checkLogin(name, password, onMessage);
    } catch (err) {
      // A refused callback is handed back at once, so the client's tables do not keep it.
      releaseQuietly(onMessage);
      throw err;
    }
    return this.#join(name as string, onMessage as MessageCallback);
  }

  async #checkLogin(name: unknown, password: unknown, onMessage: unknown): Promise<void> {
    if (typeof name !== "string" || !USER_NAME_PATTERN.test(name)) {
      throw new ChatError(
        "RPYC_ERR_CHAT_BAD_REQUEST",
        "the user name must be 1-32 letters, digits, _ or -",
      );
    }
    if (typeof onMessage !== "function") {
      throw new ChatError(
        "RPYC_ERR_CHAT_BAD_REQUEST",
        "login(user, password, onMessage): onMessage must be a function the server can call",
      );
    }
    if (!(await this.#users.check(name, password))) {
      throw new ChatError("RPYC_ERR_CHAT_LOGIN_FAILED", "wrong user name or password");
    }
    // Checked after the (slow) password check, so two racing logins cannot both get in.
    if (this.members().includes(name)) {
      throw new ChatError(
        "RPYC_ERR_CHAT_ALREADY_LOGGED_IN",
        `${name} is already logged in elsewhere: log out there first`,
      );
    }
    if (this.#members.size >= this.#limits.maxMembers) {
      throw new ChatError(
        "RPYC_ERR_CHAT_ROOM_FULL",
        `the room is full (${this.#limits.maxMembers} users): try again later`,
      );
    }
  }

  #join(name: string, callback: MessageCallback): UserToken {
    const token = new UserToken(this);
    const queue = new DeliveryQueue<ChatEvent>(
      (event) => callback(event),
      (failure) => this.leave(token, `dropped: ${failure.message}`),
      this.#limits,
    );
    this.#members.set(token, { name, callback, queue });
    this.#log(`${name} logged in`);
    this.#broadcast({ kind: "join", user: name, at: this.#now() });
    return token;
  }

  /** The user names online now, sorted. */
  members(token?: UserToken): string[] {
    if (token) this.#member(token);
    return [...this.#members.values()].map((m) => m.name).sort();
  }

  /** Sends a message from the token's user to everyone. */
  say(token: UserToken, text: unknown): void {
    const member = this.#member(token);
    if (
      typeof text !== "string" ||
      text.trim() === "" ||
      text.length > this.#limits.maxTextLength
    ) {
      throw new ChatError(
        "RPYC_ERR_CHAT_BAD_REQUEST",
        `a message is a non-empty string of at most ${this.#limits.maxTextLength} characters`,
      );
    }
    this.#broadcast({ kind: "message", user: member.name, text, at: this.#now() });
  }

  /** True while the token's user is in the room. */
  isMember(token: UserToken): boolean {
    return this.#members.has(token);
  }

  nameOf(token: UserToken): string {
    return this.#member(token).name;
  }

  /**
   * Removes the token's user and tells everyone else why. Throws `RPYC_ERR_CHAT_LOGGED_OUT` for
   * a token that already left; `ChatService` uses `leaveQuietly` for a dropped connection.
   */
  leave(token: UserToken, reason: string): void {
    const member = this.#member(token);
    this.#members.delete(token);
    this.#ended.set(token, { name: member.name, reason });
    member.queue.close();
    // The room held the client's function by reference: hand it back (no-op for a local one).
    releaseQuietly(member.callback);
    this.#log(`${member.name} left (${reason})`);
    this.#broadcast({ kind: "leave", user: member.name, reason, at: this.#now() });
  }

  /** `leave`, unless the token already left (a connection that closes after a logout). */
  leaveQuietly(token: UserToken, reason: string): void {
    if (this.#members.has(token)) this.leave(token, reason);
  }

  /** Resolves once every member's queue is drained (for tests and graceful shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.#members.values()].map((m) => m.queue.idle()));
  }

  #member(token: UserToken): Member {
    const member = this.#members.get(token);
    if (member) return member;
    const ended = this.#ended.get(token);
    throw new ChatError(
      "RPYC_ERR_CHAT_LOGGED_OUT",
      ended
        ? `${ended.name} is no longer logged in (${ended.reason}): log in again for a new token`
        : "this is not a token of this chat room",
    );
  }

  #broadcast(event: ChatEvent): void {
    // Each push returns at once; a member that overflows is dropped from inside push, which
    // broadcasts its departure, so iterate over a snapshot.
    for (const member of [...this.#members.values()]) member.queue.push(event);
  }
}
