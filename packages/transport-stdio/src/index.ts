export { serveStdio, type ServeStdioOptions } from "./serve-stdio.ts";
export {
  childOf,
  connectSubprocess,
  DEFAULT_KILL_AFTER_MS,
  DEFAULT_TERMINATE_AFTER_MS,
  type ConnectSubprocessOptions,
} from "./connect-subprocess.ts";
export { SubprocessError } from "./errors.ts";
