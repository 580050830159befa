/**
 * Where `rpyc` connects: a URL on its command line (`tcp://host:port`, `tls://host:port`,
 * `ws://…`, `wss://…`, `unix:PATH`) or `--stdio "command …"` (a program serving on its stdio),
 * parsed into a `Target`. Parsing is pure; `openTarget` (open-target.ts) connects.
 */
import { DEFAULT_CLASSIC_PORT } from "@rpyc/classic";
import { CliUsageError } from "./errors.ts";

/** A place to connect to. */
export type Target =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number; readonly tls: boolean }
  | { readonly kind: "ws"; readonly url: string }
  | { readonly kind: "unix"; readonly path: string }
  | { readonly kind: "stdio"; readonly command: string; readonly args: readonly string[] };

/**
 * Parses a target URL. A TCP URL without a port uses 18812 (the classic server's default);
 * a bare `host:port` is read as `tcp://host:port`.
 *
 * @example
 * parseTarget("tcp://127.0.0.1:18812"); // { kind: "tcp", host: "127.0.0.1", port: 18812, tls: false }
 * parseTarget("unix:/run/classic.sock"); // { kind: "unix", path: "/run/classic.sock" }
 */
export function parseTarget(text: string): Target {
  if (text.startsWith("unix:")) {
    const path = text.slice("unix:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "") throw new CliUsageError("unix: needs a socket path (unix:/path/to/socket)");
    return { kind: "unix", path };
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `tcp://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CliUsageError(`cannot read '${text}' as a URL (try tcp://host:port)`);
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme === "ws" || scheme === "wss") return { kind: "ws", url: url.href };
  if (scheme !== "tcp" && scheme !== "tls" && scheme !== "ssl") {
    throw new CliUsageError(
      `unknown scheme '${scheme}:' in '${text}' (use tcp://, tls://, ws://, wss:// or unix:PATH)`,
    );
  }
  if (url.hostname === "") throw new CliUsageError(`'${text}' has no host (try tcp://host:port)`);
  const port = url.port === "" ? DEFAULT_CLASSIC_PORT : Number(url.port);
  // URL keeps an IPv6 host in brackets; sockets want it bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return { kind: "tcp", host, port, tls: scheme !== "tcp" };
}

/**
 * Splits a `--stdio` command line into words, shell-style: whitespace separates, single and
 * double quotes group, a backslash escapes the next character. No expansion of any kind.
 *
 * @example
 * stdioTarget(`node server.js --name "my service"`); // args ["server.js", "--name", "my service"]
 */
export function stdioTarget(commandLine: string): Target {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < commandLine.length; i++) {
    const ch = commandLine[i]!;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"' && i + 1 < commandLine.length) word += commandLine[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < commandLine.length) {
      word += commandLine[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new CliUsageError(`--stdio: unterminated ${quote} quote`);
  if (inWord) words.push(word);
  const [command, ...args] = words;
  if (command === undefined) throw new CliUsageError("--stdio needs a command to run");
  return { kind: "stdio", command, args };
}

/**
 * A target as the user would type it again (for messages and the prompt).
 *
 * @example
 * describeTarget({ kind: "unix", path: "/tmp/s" }); // "unix:/tmp/s"
 */
export function describeTarget(target: Target): string {
  switch (target.kind) {
    case "tcp": {
      const host = target.host.includes(":") ? `[${target.host}]` : target.host;
      return `${target.tls ? "tls" : "tcp"}://${host}:${target.port}`;
    }
    case "ws":
      return target.url;
    case "unix":
      return `unix:${target.path}`;
    case "stdio":
      return `--stdio ${[target.command, ...target.args].join(" ")}`;
  }
}
