/**
 * Errors the chat server raises. They cross the wire with their `code`: clients match on
 * `err.code`, never on the message.
 */
import { RpycError } from "@rpyc/core";

/**
 * Stable codes of `ChatError`:
 * - `RPYC_ERR_CHAT_LOGIN_FAILED`: unknown user or wrong password (deliberately not saying which);
 * - `RPYC_ERR_CHAT_ALREADY_LOGGED_IN`: that user is logged in elsewhere;
 * - `RPYC_ERR_CHAT_ROOM_FULL`: `maxMembers` users are online;
 * - `RPYC_ERR_CHAT_BAD_REQUEST`: a malformed argument (name, password, callback, text);
 * - `RPYC_ERR_CHAT_LOGGED_OUT`: the token was logged out (or dropped) and is useless now;
 * - `RPYC_ERR_CHAT_BUSY`: a login is already in progress on this connection.
 */
export type ChatErrorCode =
  | "RPYC_ERR_CHAT_LOGIN_FAILED"
  | "RPYC_ERR_CHAT_ALREADY_LOGGED_IN"
  | "RPYC_ERR_CHAT_ROOM_FULL"
  | "RPYC_ERR_CHAT_BAD_REQUEST"
  | "RPYC_ERR_CHAT_LOGGED_OUT"
  | "RPYC_ERR_CHAT_BUSY";

/**
 * Any refusal of the chat server.
 *
 * @example
 * try { await conn.root.login("foo", "nope", onMessage) } catch (err) {
 *   if ((err as ChatError).code === "RPYC_ERR_CHAT_LOGIN_FAILED") console.log("try again");
 * }
 */
export class ChatError extends RpycError {
  override name = "ChatError";
  declare readonly code: ChatErrorCode;
  constructor(code: ChatErrorCode, message: string) {
    super(code, message);
  }
}
