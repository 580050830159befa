/**
 * The handshake rules. Each side's first message is a `Hello`; the receiver calls `checkHello`
 * on the peer's. On a mismatch it sends `Close` with the error's code and message, then closes.
 */
import { ProtocolError, RPYC_ERR_VERSION_MISMATCH } from "./errors.ts";
import {
  type AnnouncedLimits,
  type HelloMessage,
  MessageKind,
  PROTOCOL_VERSION,
} from "./messages.ts";

/**
 * Throws `ProtocolError` `RPYC_ERR_VERSION_MISMATCH` unless the peer speaks our protocol
 * version; the message names both versions and what to do.
 *
 * @example
 * const hello = decodeMessage(firstPayload);
 * if (hello.kind !== MessageKind.Hello) throw …;
 * checkHello(hello);
 */
export function checkHello(hello: HelloMessage): void {
  if (hello.protocol === PROTOCOL_VERSION) return;
  throw new ProtocolError(
    RPYC_ERR_VERSION_MISMATCH,
    `protocol version mismatch: the peer (rpyc-ts ${hello.version}) speaks wire protocol ` +
      `${hello.protocol}, this side speaks wire protocol ${PROTOCOL_VERSION}; ` +
      `upgrade the older side so both use the same major version`,
  );
}

/** What a side says about itself in its Hello. */
export interface HelloOptions {
  /** The library version (`@rpyc/core`'s package version). */
  version: string;
  /** Service name, e.g. "ECHO". */
  service: string;
  aliases?: readonly string[];
  /** What this side enforces on what it receives (pass every limit: the peer fits its sends). */
  limits: AnnouncedLimits;
}

/**
 * Builds this side's Hello for the current `PROTOCOL_VERSION`.
 *
 * @example
 * send(encodeMessage(createHello({ version: "0.1.0", service: "ECHO", limits: { maxFrameBytes } })));
 */
export function createHello(options: HelloOptions): HelloMessage {
  return {
    kind: MessageKind.Hello,
    protocol: PROTOCOL_VERSION,
    version: options.version,
    service: options.service,
    aliases: options.aliases ?? [],
    limits: { ...options.limits },
  };
}
