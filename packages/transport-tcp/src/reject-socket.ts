/**
 * Refusing a client politely: the server sends one framed rpyc `Close` message carrying the
 * reason's code, then ends the socket, so the client fails with a clear coded error instead of
 * a bare "connection reset".
 */
import type { Socket } from "node:net";
import { encodeMessage, frameHeader, MessageKind } from "@rpyc/protocol";

/** How long a refused client gets to read the refusal before its socket is destroyed. */
const REJECT_LINGER_MS = 1000;

/** Sends `Close { code, reason }` and ends `socket`; destroys it after a short linger. */
export function rejectSocket(socket: Socket, code: string, reason: string): void {
  socket.resume(); // discard what the client sends, so its FIN is seen and the socket closes
  const payload = encodeMessage({ kind: MessageKind.Close, code, reason });
  socket.write(frameHeader(payload.byteLength));
  socket.end(payload);
  const timer = setTimeout(() => socket.destroy(), REJECT_LINGER_MS);
  socket.once("close", () => clearTimeout(timer));
}
