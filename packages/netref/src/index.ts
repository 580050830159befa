/**
 * @rpyc/netref: the proxy engine of rpyc-ts — netref proxies and remote promises, export and
 * import tables with counts, boxing, and the access policy. @rpyc/core builds connections on it
 * (implementing `NetrefHost`); most users import everything from @rpyc/core instead.
 */
export {
  AccessDeniedError,
  BoxingError,
  OverReleaseError,
  ReleasedNetrefError,
  RemoteError,
  SessionLostError,
  UnknownRefError,
} from "./errors.ts";
export { byRef, isByRef, restricted, Restricted, EXPOSURE_BOUNDARY } from "./markers.ts";
export {
  type AccessConfig,
  DEFAULT_ACCESS_CONFIG,
  alwaysBlockedNames,
  describeTarget,
  exposedNames,
  findMember,
  isExposed,
  checkWrite,
} from "./access-policy.ts";
export { ExportTable } from "./export-table.ts";
export { ImportTable, type ReleaseScheduler } from "./import-table.ts";
export {
  type ErrorClass,
  type ErrorClassLookup,
  registerError,
  lookupErrorClass,
  isRemoteError,
  toWireError,
  fromWireError,
} from "./error-boxing.ts";
export { type BoxHooks, type UnboxHooks, box, boxArgs, unbox, isPrimitive } from "./boxing.ts";
export { type CallOptions, type OutgoingCall, isNetref, isRemotePromise } from "./netref-state.ts";
export { ITER_BATCH, type IterBatch } from "./remote-iterator.ts";
export { type ValueSize, MAX_VISITS, retainedBytes, wireSize } from "./value-size.ts";
export { performLocal, IteratorHandle, type Inspection } from "./local-ops.ts";
export {
  setAttr,
  delAttr,
  has,
  keys,
  repr,
  inspect,
  obtain,
  release,
  withOptions,
} from "./helpers.ts";
export {
  RefSession,
  type NetrefHost,
  type RefSessionOptions,
  type RefStats,
} from "./ref-session.ts";
export type { Remote, RemotePromise, Received, Sendable } from "./remote-types.ts";
