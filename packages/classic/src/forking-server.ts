/**
 * `rpyc-classic -m forking`: the parent listens, and hands every accepted socket to a child
 * process of its own (`forking-child.ts`) before reading a byte from it, so each client has its
 * own interpreter: namespaces, modules and globals never leak between clients. The token and
 * TLS material go to the child over its IPC channel, never on its command line.
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import {
  DEFAULT_REGISTER_INTERVAL_MS,
  startRegistration,
  type Registrar,
  type ServerTlsOptions,
} from "@rpyc/transport-tcp";

/** What the parent sends each child with its socket. */
export interface ForkedConnectionSetup {
  readonly token: string | false;
  readonly tls: { key: string; cert: string; ca?: string } | undefined;
  readonly quiet: boolean;
  readonly logfile: string | undefined;
  readonly peer: string;
}

/** Options of `serveForking`. */
export interface ServeForkingOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string | false;
  readonly tls: ServerTlsOptions | undefined;
  readonly quiet: boolean;
  readonly logfile: string | undefined;
  readonly registrar: Registrar | undefined;
  readonly onError: (error: unknown) => void;
}

/** A listening forking server. */
export interface ForkingServer {
  readonly host: string;
  readonly port: number;
  /** Stops listening, ends every child (SIGTERM), unregisters. */
  close(): Promise<void>;
}

function pem(
  value: string | Buffer | readonly (string | Buffer)[] | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return (value as readonly (string | Buffer)[]).map((v) => v.toString()).join("\n");
}

/** The path of the child's command (bin/rpyc-classic-forked.js). */
export function forkedCommandPath(): string {
  return fileURLToPath(new URL("../bin/rpyc-classic-forked.js", import.meta.url));
}

/**
 * Listens and forks a child per connection; resolves once listening.
 *
 * @example
 * const server = await serveForking({ host: "127.0.0.1", port: 0, token, … });
 */
export async function serveForking(options: ServeForkingOptions): Promise<ForkingServer> {
  const children = new Set<ChildProcess>();
  const tls =
    options.tls === undefined
      ? undefined
      : { key: pem(options.tls.key)!, cert: pem(options.tls.cert)!, ca: pem(options.tls.ca) };
  const server = createServer({ pauseOnConnect: true }, (socket: Socket) => {
    const child = fork(forkedCommandPath(), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    children.add(child);
    child.once("exit", () => children.delete(child));
    child.once("error", options.onError);
    const setup: ForkedConnectionSetup = {
      token: options.token,
      tls,
      quiet: options.quiet,
      logfile: options.logfile,
      peer: `${socket.remoteAddress}:${socket.remotePort}`,
    };
    // The child owns the socket from here; the parent's copy is closed once handed over.
    child.send(setup, socket, (error) => {
      if (error !== null) {
        options.onError(error);
        socket.destroy();
        child.kill();
      } else socket.destroy();
    });
  });
  server.listen(options.port, options.host);
  await Promise.race([
    once(server, "listening"),
    once(server, "error").then(([error]) => Promise.reject(error as Error)),
  ]);
  const { address, port } = server.address() as AddressInfo;
  const registration =
    options.registrar === undefined
      ? undefined
      : startRegistration(
          options.registrar,
          ["CLASSIC"],
          port,
          DEFAULT_REGISTER_INTERVAL_MS,
          options.onError,
        );
  return {
    host: address,
    port,
    async close() {
      await registration?.stop();
      // Stops accepting now. Its "close" event is not awaited: node counts a socket handed to a
      // child as the server's until that child reports it closed over IPC, which it never does.
      server.close();
      await Promise.all(
        [...children].map((child) => {
          const exited = once(child, "exit");
          child.kill("SIGTERM");
          return exited;
        }),
      );
    },
  };
}
