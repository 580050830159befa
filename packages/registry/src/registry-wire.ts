/**
 * The registry's wire format (its own, not RPyC's brine, and not the connection protocol): one
 * CBOR array per request and per reply. See the package README for the byte-level description.
 *
 *   request: ["RPYC", 1, id, command, args]
 *   reply:   ["RPYC", 1, id, "OK", result] | ["RPYC", 1, id, "ERR", [code, message]]
 *
 * Pure functions over bytes: no sockets, no timers. The decoders never throw; they classify.
 */
import { Encoder } from "cbor-x";
import type { RegistryLimits } from "./limits.ts";

/**
 * First element of every registry message.
 *
 * @example
 * decode(datagram)[0] === REGISTRY_MAGIC;
 */
export const REGISTRY_MAGIC = "RPYC";
/**
 * Second element: the registry protocol version. Messages with another version are dropped.
 *
 * @example
 * decode(datagram)[1] === REGISTRY_WIRE_VERSION;
 */
export const REGISTRY_WIRE_VERSION = 1;

/** An endpoint as it travels: [host, port, age in ms at the time of the reply]. */
export type WireEndpoint = [host: string, port: number, ageMs: number];

/** A request, after structural validation. Names are not yet normalised. */
export type RegistryRequest =
  | {
      readonly id: number;
      readonly command: "REGISTER";
      readonly names: readonly string[];
      readonly port: number;
    }
  | { readonly id: number; readonly command: "UNREGISTER"; readonly port: number }
  | { readonly id: number; readonly command: "QUERY"; readonly name: string }
  | { readonly id: number; readonly command: "LIST"; readonly filterHost: string | null };

/** A reply: a result, or a coded error. */
export type RegistryReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly code: string; readonly message: string };

/** What the registry does with a request it cannot read: each is counted, none is answered. */
export type RejectReason = "oversize" | "malformed" | "unknown-command";

export type DecodedRequest =
  | { readonly kind: "request"; readonly request: RegistryRequest }
  | { readonly kind: RejectReason; readonly detail: string };

// useRecords: false keeps cbor-x's record extension (tag 105) out of the wire; plain arrays only.
const codec = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });

const isUint32 = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff_ffff;
const isString = (v: unknown): v is string => typeof v === "string";

/**
 * Encodes a request. The caller checks the size against its limit.
 *
 * @example
 * encodeRequest({ id: 7, command: "QUERY", name: "TIME" });
 */
export function encodeRequest(request: RegistryRequest): Uint8Array {
  let args: unknown[];
  switch (request.command) {
    case "REGISTER":
      args = [request.names, request.port];
      break;
    case "UNREGISTER":
      args = [request.port];
      break;
    case "QUERY":
      args = [request.name];
      break;
    case "LIST":
      args = [request.filterHost];
      break;
  }
  return codec.encode([REGISTRY_MAGIC, REGISTRY_WIRE_VERSION, request.id, request.command, args]);
}

/**
 * Reads a request, or says why it cannot be read. Never throws.
 *
 * @example
 * const decoded = decodeRequest(datagram, DEFAULT_REGISTRY_LIMITS);
 * if (decoded.kind !== "request") stats[decoded.kind]++;
 */
export function decodeRequest(bytes: Uint8Array, limits: RegistryLimits): DecodedRequest {
  if (bytes.length > limits.maxRequestBytes) {
    return {
      kind: "oversize",
      detail: `${bytes.length} bytes > maxRequestBytes ${limits.maxRequestBytes}`,
    };
  }
  let value: unknown;
  try {
    value = codec.decode(bytes);
  } catch (err) {
    return { kind: "malformed", detail: `not CBOR: ${(err as Error).message}` };
  }
  if (!Array.isArray(value) || value.length !== 5)
    return { kind: "malformed", detail: "not a 5-element array" };
  const [magic, version, id, command, args] = value as unknown[];
  if (magic !== REGISTRY_MAGIC) return { kind: "malformed", detail: "bad magic" };
  if (version !== REGISTRY_WIRE_VERSION)
    return { kind: "malformed", detail: `unsupported version ${String(version)}` };
  if (!isUint32(id)) return { kind: "malformed", detail: "bad request id" };
  if (!Array.isArray(args)) return { kind: "malformed", detail: "args is not an array" };
  const a = args as unknown[];
  switch (command) {
    case "REGISTER": {
      const [names, port] = a;
      if (a.length !== 2 || !Array.isArray(names) || !names.every(isString) || !isUint32(port))
        break;
      return { kind: "request", request: { id, command, names, port } };
    }
    case "UNREGISTER": {
      const [port] = a;
      if (a.length !== 1 || !isUint32(port)) break;
      return { kind: "request", request: { id, command, port } };
    }
    case "QUERY": {
      const [name] = a;
      if (a.length !== 1 || !isString(name)) break;
      return { kind: "request", request: { id, command, name } };
    }
    case "LIST": {
      const [filterHost] = a;
      if (a.length !== 1 || !(filterHost === null || isString(filterHost))) break;
      return { kind: "request", request: { id, command, filterHost } };
    }
    default:
      return {
        kind: "unknown-command",
        detail: `unknown command ${JSON.stringify(String(command)).slice(0, 40)}`,
      };
  }
  return { kind: "malformed", detail: `bad arguments for ${String(command)}` };
}

/**
 * Encodes a reply within `maxBytes`. A result that is an array (QUERY endpoints, oldest first;
 * LIST names) is cut from the front until it fits, and `truncated` says so; any other reply
 * over the limit is replaced by a coded error.
 *
 * @example
 * const { bytes } = encodeReply({ id: 7, ok: true, result: [["127.0.0.1", 18861, 0]] }, 16_384);
 */
export function encodeReply(
  reply: RegistryReply,
  maxBytes: number,
): { bytes: Uint8Array; truncated: boolean } {
  const frame = (r: RegistryReply) =>
    codec.encode(
      r.ok
        ? [REGISTRY_MAGIC, REGISTRY_WIRE_VERSION, r.id, "OK", r.result]
        : [REGISTRY_MAGIC, REGISTRY_WIRE_VERSION, r.id, "ERR", [r.code, r.message]],
    );
  let bytes = frame(reply);
  if (bytes.length <= maxBytes) return { bytes, truncated: false };
  if (reply.ok && Array.isArray(reply.result)) {
    let items = reply.result as unknown[];
    while (items.length > 0 && bytes.length > maxBytes) {
      // Drop roughly the excess share of items (at least one), then re-measure.
      const drop = Math.max(
        1,
        Math.ceil((items.length * (bytes.length - maxBytes)) / bytes.length),
      );
      items = items.slice(drop);
      bytes = frame({ ...reply, result: items });
    }
    if (bytes.length <= maxBytes) return { bytes, truncated: true };
  }
  const tooBig = {
    id: reply.id,
    ok: false,
    code: "RPYC_ERR_REGISTRY_REPLY_TOO_LARGE",
    message: "reply over the size limit",
  } as const;
  return { bytes: frame(tooBig), truncated: true };
}

/**
 * Reads a reply. Returns `undefined` for bytes that are not a registry reply (the client then
 * keeps waiting for a valid one, or fails with a protocol error on TCP).
 *
 * @example
 * const reply = decodeReply(datagram);
 * if (reply?.id === expectedId) settle(reply);
 */
export function decodeReply(bytes: Uint8Array): RegistryReply | undefined {
  let value: unknown;
  try {
    value = codec.decode(bytes);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 5) return undefined;
  const [magic, version, id, status, payload] = value as unknown[];
  if (magic !== REGISTRY_MAGIC || version !== REGISTRY_WIRE_VERSION || !isUint32(id))
    return undefined;
  if (status === "OK") return { id, ok: true, result: payload };
  if (status === "ERR" && Array.isArray(payload) && isString(payload[0]) && isString(payload[1])) {
    return { id, ok: false, code: payload[0], message: payload[1] };
  }
  return undefined;
}
