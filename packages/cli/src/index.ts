/**
 * @rpyc/cli: the `rpyc` command — a REPL (and `--eval`) on any rpyc-ts server or classic
 * server — and its parts for programs that want the same REPL: `openTarget`, `startRpycRepl`,
 * `evaluateOn`, `completeMember`, `createWriter`. See docs/classic.md.
 */
export { parseTarget, stdioTarget, describeTarget, type Target } from "./target.ts";
export { parseRpycArgs, RPYC_HELP, type RpycCliOptions } from "./cli-options.ts";
export { openTarget, type OpenOptions, type OpenedTarget } from "./open-target.ts";
export {
  startRpycRepl,
  evaluateOn,
  historyPath,
  bannerOf,
  type RpycReplOptions,
} from "./rpyc-repl.ts";
export {
  completeMember,
  COMPLETION_TIMEOUT_MS,
  type Completion,
  type CompletionScope,
} from "./complete.ts";
export { createWriter, type WriterOptions } from "./display.ts";
export { scopeOf, defineScope, type Scope } from "./repl-scope.ts";
export {
  createProgressBar,
  formatBytes,
  type ProgressBar,
  type ProgressStream,
} from "./progress-bar.ts";
export { CliUsageError, CliConnectError } from "./errors.ts";
