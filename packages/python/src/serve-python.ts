/**
 * `servePython`: serves a JS service to Python RPyC clients (5.x and 6.x on one port). RPyC has
 * no handshake, so each connection learns its dialect from the client's first frame (6.x puts
 * the message type as a raw byte before the brine tuple, 5.x starts with a brine tuple tag).
 * Binds to loopback unless `host` says otherwise; what Python may reach is the service's
 * exposed members only (rpyc-ts's deny-by-default access policy; Python's `exposed_x` names
 * map to `x`).
 */
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { PythonConnection, type PythonConnectionOptions } from "./python-connection.ts";

/** Default bind address of `servePython`: loopback only. */
export const DEFAULT_PYTHON_HOST = "127.0.0.1";
/** Default most Python clients connected at once (`maxConnections`). */
export const DEFAULT_PYTHON_MAX_CONNECTIONS = 256;

/** Options of `servePython`. */
export interface ServePythonOptions extends Omit<PythonConnectionOptions, "dialect" | "service"> {
  /** TCP port; 0 (the default) picks a free one (read `server.port`). */
  readonly port?: number;
  /** Bind address. Default `127.0.0.1`. */
  readonly host?: string;
  /** Most clients at once; more are closed on accept. Default 256. */
  readonly maxConnections?: number;
}

/** A running `servePython` server. */
export interface PythonServer {
  readonly host: string;
  readonly port: number;
  /** The live connections, one per Python client. */
  readonly connections: ReadonlySet<PythonConnection>;
  /** Stops listening and closes every connection. Idempotent. */
  close(): Promise<void>;
}

/** A shared service object, or a class instantiated once per connection. */
export type PythonServiceSpec = object | (new () => object);

function rootFor(service: PythonServiceSpec): object {
  return typeof service === "function" ? new (service as new () => object)() : service;
}

/**
 * Starts serving `service` to Python RPyC clients; resolves once listening.
 *
 * @example
 * class CalcService extends Service { add(a: number, b: number) { return a + b; } }
 * const server = await servePython(CalcService, { port: 18861 });
 * // python3 -c 'import rpyc; print(rpyc.connect("127.0.0.1", 18861).root.add(1, 2))'
 * await server.close();
 */
export async function servePython(
  service: PythonServiceSpec,
  options: ServePythonOptions = {},
): Promise<PythonServer> {
  const connections = new Set<PythonConnection>();
  const maxConnections = options.maxConnections ?? DEFAULT_PYTHON_MAX_CONNECTIONS;
  const onSocket = (socket: Socket): void => {
    if (connections.size >= maxConnections) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const conn = new PythonConnection(socket, {
      service: rootFor(service),
      serviceName: options.serviceName,
      serviceAliases: options.serviceAliases,
      config: options.config,
    });
    connections.add(conn);
    void conn.closed.then(() => connections.delete(conn));
  };
  const netServer: NetServer = createServer(onSocket);
  await new Promise<void>((resolve, reject) => {
    netServer.once("error", reject);
    netServer.listen({ host: options.host ?? DEFAULT_PYTHON_HOST, port: options.port ?? 0 }, () => {
      netServer.off("error", reject);
      resolve();
    });
  });
  const address = netServer.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    connections,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => netServer.close(() => resolve()));
        await Promise.all([...connections].map((c) => c.close()));
        await stopped;
      })();
      return closing;
    },
  };
}
