/**
 * @rpyc/classic: classic mode for rpyc-ts — drive a remote Node interpreter (modules,
 * eval/execute, teleport, upload/download). Remote code execution by design: opt-in,
 * authenticated, loud. See docs/classic.md (security first).
 */
export {
  ClassicService,
  createClassicService,
  stderrAudit,
  CLASSIC_SERVER_CONFIG,
  DEFAULT_AUTH_TIMEOUT_MS,
  type ClassicServiceOptions,
} from "./classic-service.ts";
export {
  ClassicSession,
  StdioRedirection,
  type AuditEntry,
  type AuditLog,
} from "./classic-session.ts";
export {
  ClassicConnection,
  classicOver,
  type RedirectedStdio,
  type RemoteModules,
} from "./classic-connection.ts";
export {
  connectClassic,
  connectClassicUnix,
  connectClassicWs,
  connectClassicSubprocess,
  connectClassicStream,
  classicCommandPath,
  DEFAULT_CLASSIC_PORT,
  type ClassicAuthOptions,
  type ConnectClassicOptions,
} from "./connect-classic.ts";
export {
  serveClassic,
  checkClassicSafety,
  isLoopback,
  type ServeClassicOptions,
} from "./serve-classic.ts";
export {
  upload,
  download,
  DEFAULT_CHUNK_BYTES,
  DEFAULT_WINDOW,
  type TransferOptions,
  type TransferResult,
} from "./file-transfer.ts";
export { MAX_CHUNK_BYTES, type FileInfo, type DirEntry } from "./remote-files.ts";
export { freeVariables } from "./free-variables.ts";
export { generateToken, tokensEqual, readTokenFile, writeTokenFile, TOKEN_BYTES } from "./token.ts";
export {
  ClassicAuthenticationError,
  TeleportError,
  TransferError,
  UnsafeConfigError,
} from "./errors.ts";
