/**
 * Core's own error classes by name, so that an error of one of them thrown on the peer comes
 * back as itself (netref's lookup covers built-ins, its own classes and registered ones).
 */
import type { ErrorClass } from "@rpyc/netref";
import {
  AbortError,
  ConnectionClosedError,
  FrameTooLargeError,
  HandshakeError,
  NoCurrentCallError,
  TimeoutError,
  TooManyRequestsError,
  TransportError,
} from "./errors.ts";

const CORE_ERRORS: Record<string, ErrorClass> = {
  AbortError,
  ConnectionClosedError,
  FrameTooLargeError,
  HandshakeError,
  NoCurrentCallError,
  TimeoutError,
  TooManyRequestsError,
  TransportError,
};

/** The core class named `name`, if any. */
export function coreErrorClass(name: string): ErrorClass | undefined {
  return Object.hasOwn(CORE_ERRORS, name) ? CORE_ERRORS[name] : undefined;
}
