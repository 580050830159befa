/**
 * Turns a `--registry` argument into a registry client: `udp:HOST[:PORT]` or `tcp:HOST[:PORT]`
 * (port 18811 by default, like RPyC's registry). A bare `HOST[:PORT]` means udp.
 */
import {
  createTcpRegistryClient,
  createUdpRegistryClient,
  DEFAULT_REGISTRY_PORT,
  type RegistryClient,
} from "@rpyc/registry";

/**
 * A registry client for an address such as "udp:127.0.0.1:18811".
 *
 * @example
 * const registry = registryClientFor("tcp:127.0.0.1");
 * console.log(await registry.discover("TIME"));
 */
export function registryClientFor(address: string): RegistryClient {
  const match = /^(?:(udp|tcp):)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(address);
  if (!match) {
    throw new Error(`bad registry address "${address}": use udp:HOST[:PORT] or tcp:HOST[:PORT]`);
  }
  const [, mode = "udp", rawHost = "", rawPort] = match;
  const host = rawHost.replace(/^\[|\]$/g, "");
  const port = rawPort === undefined ? DEFAULT_REGISTRY_PORT : Number(rawPort);
  return mode === "tcp"
    ? createTcpRegistryClient({ host, port })
    : createUdpRegistryClient({ host, port });
}
