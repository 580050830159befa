/**
 * Backpressure for a server-side `ws` socket (Node only, so the browser bundle stays as it is):
 * while the bytes owed to the client (`bufferedAmount`) are above `highWaterBytes`, its messages
 * wait here instead of reaching the transport, and the socket is paused, so a client that sends
 * requests without reading the replies stops being served instead of filling our memory.
 * Delivery resumes once the socket drains. The hard bound (`maxBufferedBytes`) still holds.
 */
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import type { WebSocketLike } from "./websocket-transport.ts";

/**
 * Default backpressure mark: 8 MiB owed to a client pauses its input.
 *
 * @example
 * await serve(MyService, { highWaterBytes: DEFAULT_WS_HIGH_WATER_BYTES / 4 });
 */
export const DEFAULT_WS_HIGH_WATER_BYTES = 8 * 1024 * 1024;

type MessageEvent = { readonly data: unknown };
type Listener = (event: MessageEvent) => void;

/**
 * `ws` as a `WebSocketLike` whose message events are held while it owes more than
 * `highWaterBytes`; `socket` is its underlying stream (for `drain`).
 *
 * @example
 * createWebSocketTransport(pauseWhileOwed(ws, socket, DEFAULT_WS_HIGH_WATER_BYTES));
 */
export function pauseWhileOwed(
  ws: WebSocket,
  socket: Duplex,
  highWaterBytes: number,
): WebSocketLike {
  const listeners: Listener[] = [];
  let held: MessageEvent[] | undefined;
  const owesTooMuch = (): boolean => ws.bufferedAmount > highWaterBytes;
  const dispatch = (event: MessageEvent): void => {
    for (const listener of listeners) listener(event);
  };
  const release = (): void => {
    while (held !== undefined && held.length > 0 && !owesTooMuch()) dispatch(held.shift()!);
    if (held !== undefined && held.length === 0) {
      held = undefined;
      ws.resume();
    }
  };
  ws.addEventListener("message", (event) => {
    if (held === undefined && owesTooMuch()) {
      held = [];
      ws.pause();
    }
    if (held !== undefined) held.push({ data: event.data });
    else dispatch(event);
  });
  socket.on("drain", release);
  return {
    get binaryType() {
      return ws.binaryType;
    },
    set binaryType(type: string) {
      ws.binaryType = type as WebSocket["binaryType"];
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    get readyState() {
      return ws.readyState;
    },
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    addEventListener(type: string, listener: (event: never) => void): void {
      if (type === "message") listeners.push(listener as Listener);
      else ws.addEventListener(type as "close", listener as () => void);
    },
  } as WebSocketLike;
}
