/**
 * Loads the `ws` package on first use. `ws` is an optional peer dependency, so an install for
 * browsers only does not bring it (nor its native helper `bufferutil`); Node code that opens a
 * client or a server needs it installed next to this package.
 */
import { ConnectError } from "./errors.ts";

type WsModule = typeof import("ws");

let loading: Promise<WsModule> | undefined;

/**
 * The `ws` module, or a `ConnectError` `RPYC_ERR_NO_WEBSOCKET` that says how to install it.
 *
 * @example
 * const { WebSocketServer } = await loadWs();
 */
export function loadWs(): Promise<WsModule> {
  loading ??= import("ws").catch((error: unknown) => {
    loading = undefined; // installed later (e.g. by a REPL user): try again next time
    throw new ConnectError(
      "RPYC_ERR_NO_WEBSOCKET",
      "the Node WebSocket client and server need the ws package: npm install ws " +
        "(an optional peer dependency of @rpyc/transport-ws, so browser-only installs skip it)",
      { cause: error },
    );
  });
  return loading;
}
