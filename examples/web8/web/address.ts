/**
 * The address bar's grammar, after the original: `host[:port]/page`. Unlike the original, a
 * given port is used (it passed `host:port` on as the host). The port defaults to the page's
 * own, which is 18833 under `pnpm demo`.
 */
import { Web8Error } from "./errors.ts";

/** Where a page lives: the server and the page's name on it. */
export interface Address {
  readonly host: string;
  readonly port: number;
  readonly page: string;
}

/**
 * Parses `host[:port]/page`; `/page` alone means the current host (the server's navigate).
 *
 * @example
 * parseAddress("localhost/main", 18833); // { host: "localhost", port: 18833, page: "main" }
 * parseAddress("/hello_world", 18833, current); // current host and port, page "hello_world"
 */
export function parseAddress(text: string, defaultPort: number, current?: Address): Address {
  const trimmed = text.trim();
  const slash = trimmed.indexOf("/");
  const server = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const page = slash === -1 ? "" : trimmed.slice(slash + 1);
  if (server === "") {
    if (current === undefined) throw bad(text, "no host");
    return { host: current.host, port: current.port, page };
  }
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(server);
  if (match === null)
    throw bad(text, "the host must be a name or an address, with an optional :port");
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (port < 1 || port > 65535) throw bad(text, "the port must be 1 to 65535");
  return { host: match[1]!, port, page };
}

/** The text the address bar shows for `address`. */
export function formatAddress(address: Address, defaultPort: number): string {
  const port = address.port === defaultPort ? "" : `:${address.port}`;
  return `${address.host}${port}/${address.page}`;
}

function bad(text: string, why: string): Web8Error {
  return new Web8Error("RPYC_ERR_WEB8_BAD_ARGUMENT", `bad address ${JSON.stringify(text)}: ${why}`);
}
