/**
 * The chat service, after RPyC's demos/chat/server.py: one method, `login`, which takes the
 * user's credentials and a callback, and returns a user token. One instance serves one
 * connection and remembers the tokens it handed out, so a dropped connection logs its users out.
 */
import { Service } from "@rpyc/core";
import type { ChatRoom, MessageCallback } from "./chat-room.ts";
import { ChatError } from "./errors.ts";
import { releaseQuietly } from "./release-quietly.ts";
import type { UserToken } from "./user-token.ts";

/**
 * The service one connection sees. Serve it with `chatServiceFor(room)`, which binds every
 * connection's instance to the same room.
 *
 * @example
 * const token = await conn.root.login("foo", "bar", (event) => console.log(event));
 * await token.say("hello world");
 */
export class ChatService extends Service {
  /** The wire name, also for the per-room subclasses `chatServiceFor` makes. */
  static override serviceName = "CHAT";

  readonly #room: ChatRoom;
  readonly #tokens = new Set<UserToken>();
  #loggingIn = false;
  #disconnected = false;

  constructor(room: ChatRoom) {
    super();
    this.#room = room;
  }

  /**
   * Logs in and joins the room. `onMessage` is the client's own function: the server calls it
   * for every message, join and leave. Throws `ChatError` (`RPYC_ERR_CHAT_LOGIN_FAILED`, …).
   */
  async login(user: string, password: string, onMessage: MessageCallback): Promise<UserToken> {
    // One password check at a time per connection: scrypt is deliberately expensive, and a
    // client must not be able to queue thousands of them.
    if (this.#loggingIn) {
      releaseQuietly(onMessage);
      throw new ChatError(
        "RPYC_ERR_CHAT_BUSY",
        "a login is already in progress on this connection: wait for its answer",
      );
    }
    this.#loggingIn = true;
    let token: UserToken;
    try {
      token = await this.#room.login(user, password, onMessage);
    } finally {
      this.#loggingIn = false;
    }
    if (this.#disconnected) {
      // The connection closed while the password was being checked: nobody is listening.
      this.#room.leaveQuietly(token, "connection lost");
      throw new ChatError("RPYC_ERR_CHAT_LOGGED_OUT", "the connection closed during login");
    }
    // Forget tokens that already left, so a connection that logs in and out stays small.
    for (const old of this.#tokens) if (!this.#room.isMember(old)) this.#tokens.delete(old);
    this.#tokens.add(token);
    return token;
  }

  /** The connection is gone (closed or dropped): its users leave, and the others are told. */
  override onDisconnect(): void {
    this.#disconnected = true;
    for (const token of this.#tokens) this.#room.leaveQuietly(token, "connection lost");
    this.#tokens.clear();
  }
}

/**
 * A `ChatService` class bound to one room, for `serve()`: each connection gets its own instance
 * (its own tokens), all sharing the room.
 *
 * @example
 * const server = await serve(chatServiceFor(room), { port: 19912 });
 */
export function chatServiceFor(room: ChatRoom): new () => ChatService {
  return class RoomChatService extends ChatService {
    constructor() {
      super(room);
    }
  };
}
