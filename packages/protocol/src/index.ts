export * from "./messages.ts";
export { RpycError, ProtocolError } from "./errors.ts";
