/**
 * `createRegistryClient(url)`: a UDP or TCP client from one string, for command lines and config
 * files ("udp://255.255.255.255", "tcp://registry.internal:18811").
 */
import { RegistryError } from "./errors.ts";
import { DEFAULT_REGISTRY_PORT, type RegistryLimits } from "./limits.ts";
import type { RegistryClient } from "./registry-client.ts";
import { createTcpRegistryClient } from "./tcp-registry-client.ts";
import { createUdpRegistryClient } from "./udp-registry-client.ts";

/**
 * Options of `createRegistryClient`, shared by both transports.
 *
 * @example
 * createRegistryClient("tcp://10.0.0.5", { timeoutMs: 500 });
 */
export interface RegistryUrlOptions {
  readonly timeoutMs?: number;
  readonly limits?: Partial<RegistryLimits>;
}

/**
 * Creates a registry client from an address: `udp://host[:port]` or `tcp://host[:port]`; the
 * short forms `udp:host[:port]`, `tcp:host[:port]` and a bare `host[:port]` (UDP) work too. The
 * port defaults to 18811; IPv6 hosts go in brackets. A Redis-backed client needs an ioredis
 * instance: use `createRedisRegistry`.
 *
 * @example
 * const registry = createRegistryClient(process.env.RPYC_REGISTRY ?? "udp://255.255.255.255");
 * console.log(await registry.discover("TIME"));
 */
export function createRegistryClient(
  address: string | URL,
  options: RegistryUrlOptions = {},
): RegistryClient {
  const text = String(address);
  const match = ADDRESS.exec(text);
  if (!match) throw invalid(text);
  const [, mode = "udp", rawHost = "", rawPort] = match;
  const host = rawHost.replace(/^\[(.*)\]$/, "$1");
  const port = rawPort === undefined ? DEFAULT_REGISTRY_PORT : Number(rawPort);
  if (port > 65535) throw invalid(text);
  return mode.toLowerCase() === "tcp"
    ? createTcpRegistryClient({ host, port, ...options })
    : createUdpRegistryClient({ host, port, ...options });
}

/** [udp|tcp][: or ://]host-or-[v6][:port][/] */
const ADDRESS = /^(?:(udp|tcp):(?:\/\/)?)?(\[[0-9a-fA-F:.]+\]|[^:/[\]\s]+)(?::(\d{1,5}))?\/?$/i;

function invalid(url: string): RegistryError {
  return new RegistryError(
    "RPYC_ERR_REGISTRY_BAD_URL",
    `'${url}' is not a registry address (expected udp://host[:port] or tcp://host[:port])`,
  );
}
