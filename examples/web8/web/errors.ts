/**
 * Errors the browser's toolkit raises when a server asks for something it was not handed. They
 * cross the wire with their `code`: a server matches on `err.code`, never on the message.
 */
import { RpycError } from "@rpyc/core";

/**
 * Stable codes of `Web8Error`:
 * - `RPYC_ERR_WEB8_WIDGET_LIMIT`: the server already created `maxWidgets` widgets on this page;
 * - `RPYC_ERR_WEB8_HANDLER_LIMIT`: a button already has `MAX_HANDLERS_PER_WIDGET` handlers;
 * - `RPYC_ERR_WEB8_BAD_ARGUMENT`: text that is not a string, a child that is not one of this
 *   page's widgets (or is packed already, or would contain its own parent), a handler that is not a function, an
 *   unknown signal, a bad address.
 */
export type Web8ErrorCode =
  "RPYC_ERR_WEB8_WIDGET_LIMIT" | "RPYC_ERR_WEB8_HANDLER_LIMIT" | "RPYC_ERR_WEB8_BAD_ARGUMENT";

/**
 * A refusal of the browser's toolkit.
 *
 * @example
 * try { await gtk.Label("x") } catch (err) {
 *   if ((err as Web8Error).code === "RPYC_ERR_WEB8_WIDGET_LIMIT") console.log("page is full");
 * }
 */
export class Web8Error extends RpycError {
  override name = "Web8Error";
  declare readonly code: Web8ErrorCode;
  constructor(code: Web8ErrorCode, message: string) {
    super(code, message);
  }
}
