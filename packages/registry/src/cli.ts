#!/usr/bin/env node
/**
 * `rpyc-registry`: runs a registry server and logs what registers and leaves (RPyC's
 * rpyc_registry). This file is the package's `bin`; it is not part of the library API.
 */
import { parseArgs } from "node:util";
import { DEFAULT_PRUNE_TIMEOUT_MS, DEFAULT_REGISTRY_PORT } from "./limits.ts";
import { serveRegistry } from "./serve-registry.ts";

const HELP = `Usage: rpyc-registry [options]

Runs an rpyc-ts service registry: servers register their service names and port,
clients discover them (see @rpyc/registry).

Options:
  -m, --mode <udp|tcp>   transport (default: udp; udp also answers broadcasts
                         when bound to a wildcard address)
      --host <address>   address to bind (default: 127.0.0.1). RPyC's registry binds
                         every interface; we don't unless asked, because the registry
                         is unauthenticated: anyone who reaches it can register and
                         redirect clients. Use --host 0.0.0.0 to serve the network.
  -p, --port <port>      port (default: ${DEFAULT_REGISTRY_PORT}; 0 picks a free one)
  -t, --timeout <s>      seconds after which a registration that was not refreshed
                         is pruned (default: ${DEFAULT_PRUNE_TIMEOUT_MS / 1000})
  -l, --listing          answer LIST requests (default: off, like RPyC)
  -q, --quiet            log errors only
  -v, --verbose          also log every refresh and every dropped request
  -h, --help             show this help

Stops cleanly on SIGINT or SIGTERM.`;

function fail(message: string): never {
  process.stderr.write(`rpyc-registry: ${message}\nTry 'rpyc-registry --help'.\n`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      options: {
        mode: { type: "string", short: "m", default: "udp" },
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", short: "p", default: String(DEFAULT_REGISTRY_PORT) },
        timeout: { type: "string", short: "t", default: String(DEFAULT_PRUNE_TIMEOUT_MS / 1000) },
        listing: { type: "boolean", short: "l", default: false },
        quiet: { type: "boolean", short: "q", default: false },
        verbose: { type: "boolean", short: "v", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    return fail((err as Error).message);
  }
}

async function main(): Promise<void> {
  const args = parse();
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const mode = args.mode.toLowerCase();
  if (mode !== "udp" && mode !== "tcp") fail(`--mode must be udp or tcp (got '${args.mode}')`);
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`--port must be 0-65535 (got '${args.port}')`);
  const timeoutS = Number(args.timeout);
  if (!(timeoutS > 0))
    fail(`--timeout must be a positive number of seconds (got '${args.timeout}')`);

  const log = (line: string) => {
    if (!args.quiet) process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  };
  let server;
  try {
    server = await serveRegistry({
      mode,
      host: args.host,
      port,
      pruneTimeoutMs: Math.round(timeoutS * 1000),
      allowListing: args.listing,
    });
  } catch (err) {
    process.stderr.write(
      `rpyc-registry: cannot listen on ${mode}://${args.host}:${port}: ${(err as Error).message}\n`,
    );
    process.exit(1);
  }
  server.on("added", (c) => log(`+ ${c.name} ${c.host}:${c.port}`));
  server.on("removed", (c) => log(`- ${c.name} ${c.host}:${c.port} (${c.reason ?? "removed"})`));
  if (args.verbose) {
    server.on(
      "registered",
      (e) => e.added.length === 0 && log(`= ${e.names.join(",")} ${e.host}:${e.port} (refreshed)`),
    );
    server.on("dropped", (d) => log(`! dropped ${d.reason} request from ${d.host}: ${d.detail}`));
  }
  log(
    `registry listening on ${mode}://${server.host}:${server.port} ` +
      `(prune after ${timeoutS} s, listing ${args.listing ? "on" : "off"})`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    void server.close().then(() => {
      const { entries, received, answered, oversize, malformed, unknownCommand } = server.stats();
      log(
        `stopped (${entries} entries, ${received} requests, ${answered} answered, ` +
          `${oversize + malformed + unknownCommand} dropped)`,
      );
      process.exitCode = 0;
    });
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err: unknown) => {
  process.stderr.write(`rpyc-registry: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
