/**
 * `rpyc`: a REPL (or one `--eval`) on an rpyc-ts server or a classic server. This file is the
 * command's entry (bin/rpyc.js), not part of the library API. Exit status: 0; 1 when the server
 * is unreachable or refuses us, or `--eval`'s source throws; 2 for a bad command line.
 */
import { readFileSync } from "node:fs";
import { createWriter } from "./display.ts";
import { parseRpycArgs, RPYC_HELP, type RpycCliOptions } from "./cli-options.ts";
import { CliUsageError } from "./errors.ts";
import { openTarget, type OpenedTarget } from "./open-target.ts";
import { evaluateOn, startRpycRepl } from "./rpyc-repl.ts";

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function fail(error: unknown, status: number): never {
  process.stderr.write(`rpyc: ${(error as Error).message}\n`);
  if (error instanceof CliUsageError) process.stderr.write("Try 'rpyc --help'.\n");
  process.exit(status);
}

function open(options: RpycCliOptions): Promise<OpenedTarget> {
  return openTarget(options.target!, options);
}

/** `.connect <args>`: the new command line, with this one's token and TLS files by default. */
function reconnectWith(first: RpycCliOptions) {
  return (args: string): Promise<OpenedTarget> => {
    const words = args.split(/\s+/).filter((w) => w !== "");
    const next = parseRpycArgs(words);
    if (next.target === undefined) throw new CliUsageError(".connect needs a URL");
    return open({
      ...next,
      classic: next.classic || first.classic,
      token: next.token ?? (next.tokenFile === undefined ? first.token : undefined),
      tokenFile: next.tokenFile ?? (next.token === undefined ? first.tokenFile : undefined),
      sslCafile: next.sslCafile ?? first.sslCafile,
      sslCertfile: next.sslCertfile ?? first.sslCertfile,
      sslKeyfile: next.sslKeyfile ?? first.sslKeyfile,
    });
  };
}

async function main(): Promise<void> {
  let options: RpycCliOptions;
  try {
    options = parseRpycArgs(process.argv.slice(2));
  } catch (error) {
    fail(error, 2);
  }
  if (options.help) return void process.stdout.write(`${RPYC_HELP}\n`);
  if (options.version) return void process.stdout.write(`${packageVersion()}\n`);
  let opened: OpenedTarget;
  try {
    opened = await open(options);
  } catch (error) {
    fail(error, 1);
  }
  if (options.eval !== undefined) {
    let status = 0;
    try {
      const value = await evaluateOn(opened, options.eval);
      process.stdout.write(`${createWriter({ colors: false })(value)}\n`);
    } catch (error) {
      process.stderr.write(
        `rpyc: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      status = 1;
    }
    await opened.conn.close();
    process.exit(status);
  }
  await startRpycRepl(opened, { reconnect: reconnectWith(options), quiet: options.quiet });
  process.exit(0);
}

await main();
