/**
 * @rpyc/python: speak Python RPyC's own wire (brine, 5.x and 6.x dialects) from Node, as a
 * client (`connectPython`, `connectPythonClassic`) and as a server (`servePython`).
 */
export { connectPython, connectPythonUnix, type ConnectPythonOptions } from "./connect-python.ts";
export {
  connectPythonClassic,
  connectPythonClassicUnix,
  pythonClassicOver,
  PythonClassicConnection,
  DEFAULT_PYTHON_CLASSIC_PORT,
  type ConnectPythonClassicOptions,
  type PythonModules,
} from "./python-classic.ts";
export {
  servePython,
  DEFAULT_PYTHON_HOST,
  DEFAULT_PYTHON_MAX_CONNECTIONS,
  type ServePythonOptions,
  type PythonServer,
  type PythonServiceSpec,
} from "./serve-python.ts";
export {
  PythonConnection,
  DEFAULT_PYTHON_CONFIG,
  type PythonConfig,
  type PythonConnectionOptions,
  type PythonConnectionStats,
} from "./python-connection.ts";
export {
  kw,
  Kwargs,
  withOptions,
  isPythonNetref,
  type PyNetref,
  type PyPending,
  type PyCallOptions,
} from "./python-netref.ts";
export {
  len,
  item,
  setItem,
  contains,
  repr,
  str,
  dir,
  hash,
  setAttr,
  delAttr,
  release,
  iterate,
  withContext,
  obtain,
} from "./helpers.ts";
export {
  BrineError,
  PythonError,
  PythonRefusedError,
  RPYC_ERR_BRINE_LIMIT,
  RPYC_ERR_BRINE_MALFORMED,
  RPYC_ERR_BRINE_UNSUPPORTED,
  type PythonExceptionInfo,
} from "./errors.ts";
export { encodeBrine, isBrineable } from "./brine-encode.ts";
export { decodeBrine } from "./brine-decode.ts";
export { DEFAULT_BRINE_LIMITS, type BrineLimits } from "./brine-limits.ts";
export { encodeFrame, FrameReader, COMPRESSION_THRESHOLD } from "./framing.ts";
export {
  type Dialect,
  MsgType,
  type PythonMessage,
  encodeMessage,
  decodeMessage,
  detectDialect,
} from "./messages.ts";
export { Handler, Label, type IdPack } from "./handlers.ts";
export {
  PyFloat,
  PySlice,
  PyFrozenSet,
  PyComplex,
  PY_NOT_IMPLEMENTED,
  PY_ELLIPSIS,
} from "./python-values.ts";
