/**
 * `@rpyc/core/testing`: test fixtures. Not for production code paths.
 */
export { createMemoryTransportPair, type MemoryTransport } from "./memory-transport.ts";
export { recordTransport, type TransportRecording } from "./record-transport.ts";
