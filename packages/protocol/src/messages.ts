/**
 * The message model: every message that crosses an rpyc-ts connection, as plain TypeScript
 * objects. `codec.ts` turns a `Message` into one CBOR item and back; nothing here does I/O.
 *
 * Vocabulary (RPyC's, seen from the side that *sends* the message):
 * - an "export" is an object of mine the peer may use; it lives in my export table under an id;
 * - a `WireRef` of kind `Mine` names one of my exports ("this is my object");
 * - a `WireRef` of kind `Yours` names one of the receiver's exports ("this is your object"), so
 *   an object sent back to its owner arrives as the original;
 * - a `WireRef` of kind `Pending` names the result of one of my earlier requests that the
 *   receiver is still working on (pipelining: `ref.a().b()` costs one round trip).
 *
 * The export id `ROOT_ID` (0) is each side's service root; it exists for the whole connection
 * and is never released, so `conn.root` needs no round trip.
 */
import type { Limits } from "./limits.ts";

/** Major version of the wire format. Peers with different majors refuse each other (`Hello`). */
export const PROTOCOL_VERSION = 1;

/** Export id of each side's service root. Always present, never released. */
export const ROOT_ID = 0;

/** What a message is. Numbers are the wire encoding: never renumber, only append. */
export const MessageKind = {
  Hello: 0,
  Request: 1,
  Reply: 2,
  Error: 3,
  Release: 4,
  Cancel: 5,
  Ping: 6,
  Pong: 7,
  Close: 8,
  Held: 9,
  Forget: 10,
} as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];

/**
 * What a request asks the receiver to do to its target. Numbers are the wire encoding.
 *
 * | op        | name      | args                 | result                                        |
 * |-----------|-----------|----------------------|-----------------------------------------------|
 * | Get       | key       | —                    | target[key]                                   |
 * | Set       | key       | [value]              | undefined (target[key] = value)               |
 * | Delete    | key       | —                    | boolean (delete target[key])                  |
 * | Call      | —         | call args            | target(...args)                               |
 * | CallAttr  | key       | call args            | target[key](...args), one round trip          |
 * | Construct | key?      | ctor args            | new target(...args) or new target[key](...)   |
 * | Has       | key       | —                    | boolean (key is exposed on target)            |
 * | Keys      | —         | —                    | string[] of the exposed names                 |
 * | Iterate   | —         | —                    | an iterator ref (async or sync iterator)      |
 * | IterNext  | —         | [maxCount]           | IterBatch: up to maxCount values, done flag   |
 * | IterReturn| —         | —                    | undefined (iterator.return(), early exit)     |
 * | Inspect   | —         | —                    | Inspection: type name and exposed members     |
 * | Repr      | —         | —                    | string for debugging                          |
 * | Obtain    | —         | —                    | a deep copy of target by value (policy holds) |
 * | Take      | —         | —                    | the target itself: a `Pending` ref to one of  |
 * |           |           |                      | the sender's held results (`Held`), which the |
 * |           |           |                      | receiver stops holding                        |
 */
export const Op = {
  Get: 0,
  Set: 1,
  Delete: 2,
  Call: 3,
  CallAttr: 4,
  Construct: 5,
  Has: 6,
  Keys: 7,
  Iterate: 8,
  IterNext: 9,
  IterReturn: 10,
  Inspect: 11,
  Repr: 12,
  Obtain: 13,
  Take: 14,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

/** How a `WireRef` is to be read by its receiver (see the file header). */
export const RefKind = {
  /** The sender's own export: the receiver makes (or reuses) a netref for it. */
  Mine: 0,
  /** The receiver's own export coming home: the receiver unboxes it to the original object. */
  Yours: 1,
  /** The result of the sender's earlier request `id` (a sequence id), for pipelining. */
  Pending: 2,
} as const;
export type RefKind = (typeof RefKind)[keyof typeof RefKind];

/**
 * A reference inside a value. Encoded as a CBOR tag (one tag per kind), so it can sit anywhere
 * in a value tree: `[1, <mine 7>, { cb: <mine 8> }]`.
 */
export class WireRef {
  constructor(
    readonly kind: RefKind,
    /** Export id (`Mine`/`Yours`) or request sequence id (`Pending`). A non-negative integer. */
    readonly id: number,
  ) {}
}

/**
 * An error crossing the wire (a thrown error, or an `Error` inside a value: errors go by value).
 * `cause` and `props` are wire values and may hold further refs or errors.
 */
export class WireError {
  constructor(
    /** `err.name`, e.g. "TypeError" or a custom class name. */
    readonly name: string,
    readonly message: string,
    /**
     * `err.code` whatever its type (`"RPYC_ERR_*"`, `"ENOENT"`, `42`…), as a wire value (it may
     * hold refs or errors like `cause`); `undefined` when the error has none.
     */
    readonly code?: WireValue,
    /** The sender's stack text, unless the sender's config withholds it. */
    readonly stack?: string,
    readonly cause?: WireValue,
    /** Other own enumerable properties of the error, boxed. */
    readonly props?: Readonly<Record<string, WireValue>>,
  ) {}
}

/**
 * A value as it appears on the wire: CBOR-encodable data in which references are `WireRef`s and
 * errors are `WireError`s. (Boxing user values into wire values is `@rpyc/netref`'s job.)
 * Supported leaves: undefined, null, boolean, number, bigint, string, Uint8Array and the other
 * typed arrays, ArrayBuffer, DataView, Date, RegExp. Containers: arrays, plain objects, Map, Set.
 */
export type WireValue = unknown;

/**
 * Limits a side announces in its `Hello`, so its peer never sends what it would refuse: every
 * receive limit of `Limits` (rpyc-ts sends them all); only `maxFrameBytes` is required, as
 * older peers announce nothing else.
 */
export type AnnouncedLimits = Readonly<Partial<Limits>> & { readonly maxFrameBytes: number };

/** First message each side sends. Nothing but `Hello` may precede it. */
export interface HelloMessage {
  readonly kind: typeof MessageKind.Hello;
  /** `PROTOCOL_VERSION` of the sender. A different major means: send `Close` and stop. */
  readonly protocol: number;
  /** The sender's library version (`@rpyc/core` package version), for diagnostics. */
  readonly version: string;
  /** The sender's service name ("ECHO") and aliases, like RPyC's get_service_name/aliases. */
  readonly service: string;
  readonly aliases: readonly string[];
  readonly limits: AnnouncedLimits;
}

export interface RequestMessage {
  readonly kind: typeof MessageKind.Request;
  /** Sender-chosen id, unique among the sender's requests in flight; echoed by the reply. */
  readonly seq: number;
  readonly op: Op;
  /** The receiver's object to act on: a `Yours` ref, or a `Pending` ref to an earlier result. */
  readonly target: WireRef;
  /** Property key for Get/Set/Delete/CallAttr/Has/Construct. Never a symbol. */
  readonly name?: string | number;
  /** Arguments (already boxed). */
  readonly args?: readonly WireValue[];
  /**
   * Pipelining: how many later requests name this request's result as a `Pending` target. The
   * receiver keeps the result until that many have used it, then forgets it. 0 or absent:
   * nothing will.
   */
  readonly pin?: number;
  /**
   * 1: the sender has not asked for this result yet (it only pipelines through it). The
   * receiver may then keep a result that would go by reference and answer `Held` instead of
   * `Reply`; the sender later fetches it (`Op.Take`) or lets it go (`Forget`). A hint: the
   * receiver may answer with a plain `Reply` anyway. Absent or 0: answer with `Reply`.
   */
  readonly hold?: number;
}

export interface ReplyMessage {
  readonly kind: typeof MessageKind.Reply;
  readonly seq: number;
  readonly value: WireValue;
}

/**
 * "Your request `seq` succeeded; I kept its result for you" (answer to a `Request.hold`). The
 * result stays with the receiver of the request until its sender takes it (`Op.Take` on a
 * `Pending` ref to `seq`) or forgets it (`Forget`). The sender does not reuse `seq` meanwhile.
 */
export interface HeldMessage {
  readonly kind: typeof MessageKind.Held;
  readonly seq: number;
}

/** "I will never take the results you hold for my requests `seqs`": the holder drops them. */
export interface ForgetMessage {
  readonly kind: typeof MessageKind.Forget;
  readonly seqs: readonly number[];
}

export interface ErrorMessage {
  readonly kind: typeof MessageKind.Error;
  /** The failed request's seq; -1 for an error about the connection itself (e.g. bad input). */
  readonly seq: number;
  readonly error: WireError;
}

/**
 * "I dropped `counts[i]` of the `ids[i]` you sent me." Counts make a release safe against a
 * reply that re-sends the same object while the release is in flight (RPyC #558): the owner
 * forgets an export only when every send of it has been released.
 */
export interface ReleaseMessage {
  readonly kind: typeof MessageKind.Release;
  readonly ids: readonly number[];
  readonly counts: readonly number[];
}

/** "Stop working on my request `seq`": aborts the handler's `AbortSignal`; an Error reply follows. */
export interface CancelMessage {
  readonly kind: typeof MessageKind.Cancel;
  readonly seq: number;
}

export interface PingMessage {
  readonly kind: typeof MessageKind.Ping;
  readonly seq: number;
  readonly payload?: Uint8Array;
}

export interface PongMessage {
  readonly kind: typeof MessageKind.Pong;
  readonly seq: number;
  readonly payload?: Uint8Array;
}

/** Last message of a connection; the sender closes the transport after it. */
export interface CloseMessage {
  readonly kind: typeof MessageKind.Close;
  /** An `RPYC_ERR_*` code when the close is caused by an error (version mismatch, bad input). */
  readonly code?: string;
  readonly reason?: string;
}

export type Message =
  | HelloMessage
  | RequestMessage
  | ReplyMessage
  | ErrorMessage
  | ReleaseMessage
  | CancelMessage
  | PingMessage
  | PongMessage
  | CloseMessage
  | HeldMessage
  | ForgetMessage;
