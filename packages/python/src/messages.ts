/**
 * RPyC messages in its two wire dialects (there is no handshake: a client is told which to speak,
 * a server tells from the first byte of the first payload):
 *
 *     "5" (RPyC 5.x):  brine((type, seq, body))          payload starts with 0x12 (a 3-tuple)
 *     "6" (RPyC 6.x):  type:u8 | brine((seq, body))      payload starts with 0x01, 0x02 or 0x03
 *
 * REQUEST body = (handler, boxed_args); REPLY body = boxed result; EXCEPTION body = the vinegar
 * tuple (see `python-exceptions.ts`). `seq` counts from 0 per connection and direction.
 */
import { decodeBrine } from "./brine-decode.ts";
import { encodeBrine } from "./brine-encode.ts";
import { DEFAULT_BRINE_LIMITS, type BrineLimits } from "./brine-limits.ts";
import { BrineError, RPYC_ERR_BRINE_MALFORMED } from "./errors.ts";

/** Which RPyC wire to speak: "5" for RPyC 5.x (Debian 12's 5.3), "6" for RPyC 6.x. */
export type Dialect = "5" | "6";

/** RPyC's message types (`consts.py` MSG_*). */
export const MsgType = Object.freeze({ REQUEST: 1, REPLY: 2, EXCEPTION: 3 });
export type MsgType = (typeof MsgType)[keyof typeof MsgType];

/** One decoded message. */
export interface PythonMessage {
  readonly type: MsgType;
  readonly seq: number;
  readonly body: unknown;
}

const FIVE_X_FIRST_BYTE = 0x12;

/**
 * The dialect a peer speaks, from the first byte of its first payload, or undefined.
 *
 * @example
 * detectDialect(Uint8Array.of(0x01, 0x11)); // "6"
 */
export function detectDialect(payload: Uint8Array): Dialect | undefined {
  const first = payload[0];
  if (first === FIVE_X_FIRST_BYTE) return "5";
  if (first === MsgType.REQUEST || first === MsgType.REPLY || first === MsgType.EXCEPTION)
    return "6";
  return undefined;
}

/**
 * Encodes one message payload (to be framed with `encodeFrame`).
 *
 * @example
 * encodeMessage("6", { type: MsgType.REQUEST, seq: 0, body: [3, [1, []]] }); // GETROOT
 */
export function encodeMessage(
  dialect: Dialect,
  msg: PythonMessage,
  limits: BrineLimits = DEFAULT_BRINE_LIMITS,
): Uint8Array {
  if (dialect === "5") return encodeBrine([msg.type, msg.seq, msg.body], limits);
  const brine = encodeBrine([msg.seq, msg.body], limits);
  const out = new Uint8Array(brine.length + 1);
  out[0] = msg.type;
  out.set(brine, 1);
  return out;
}

function malformed(why: string): never {
  throw new BrineError(RPYC_ERR_BRINE_MALFORMED, `not an RPyC message: ${why}`);
}

function checkHead(type: unknown, seq: unknown): { type: MsgType; seq: number } {
  if (type !== MsgType.REQUEST && type !== MsgType.REPLY && type !== MsgType.EXCEPTION)
    malformed(`unknown message type ${String(type)}`);
  if (typeof seq !== "number" || seq < 0) malformed(`sequence number ${String(seq)}`);
  return { type, seq };
}

/**
 * Decodes one message payload of `dialect`.
 *
 * @example
 * decodeMessage("5", Uint8Array.of(0x12, 0x52, 0x53, 0x11, 0x51, 0x51)); // REPLY seq 3 (1, 1)
 */
export function decodeMessage(
  dialect: Dialect,
  payload: Uint8Array,
  limits: BrineLimits = DEFAULT_BRINE_LIMITS,
): PythonMessage {
  if (dialect === "5") {
    const v = decodeBrine(payload, limits);
    if (!Array.isArray(v) || v.length !== 3) malformed("a 5.x payload is not a 3-tuple");
    return { ...checkHead(v[0], v[1]), body: v[2] };
  }
  if (payload.length < 1) malformed("empty payload");
  const v = decodeBrine(payload.subarray(1), limits);
  if (!Array.isArray(v) || v.length !== 2) malformed("a 6.x payload is not a 2-tuple");
  return { ...checkHead(payload[0], v[0]), body: v[1] };
}
