/**
 * Runs a real Python RPyC peer for a test: Debian's RPyC 5.3 (`/usr/bin/python3` with
 * python3-rpyc) or RPyC 6.0.1 from `<repo root>/../shared/peers/rpyc-6.0.1`. The script prints
 * one line ("PORT <n>", or anything the caller parses) once it is listening.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

export const PYTHON = "/usr/bin/python3";
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const RPYC6_PATH = fileURLToPath(
  new URL("../shared/peers/rpyc-6.0.1", `file://${REPO_ROOT}`),
);
export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** The two Python RPyC versions the tests run against, with the dialect each speaks. */
export const VERSIONS = [
  { version: "5.3.0", dialect: "5" },
  { version: "6.0.1", dialect: "6" },
] as const;

export interface PythonPeer {
  readonly child: ChildProcess;
  /** The line the script printed when ready. */
  readonly ready: string;
  /** Lines printed after the ready line. */
  readonly output: string[];
  /** Resolves with the exit code once the process ended. */
  readonly exited: Promise<number | null>;
  /** Kills the process (if still running) and waits for it to end. */
  stop(): Promise<void>;
}

function envFor(version: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONUNBUFFERED: "1",
    PYTHONDONTWRITEBYTECODE: "1",
  };
  delete env.PYTHONPATH;
  if (version.startsWith("6")) {
    if (!existsSync(RPYC6_PATH)) {
      throw new Error(
        `RPyC 6.0.1 is not at ${RPYC6_PATH} (the repo root needs ../shared beside it)`,
      );
    }
    env.PYTHONPATH = RPYC6_PATH;
  }
  return env;
}

/** How `startPython` runs the script. */
export interface StartOptions {
  /** Working directory of the process. Default: this process's. */
  readonly cwd?: string;
  /** Which stdout line means ready (earlier lines are dropped). Default: the first. */
  readonly isReady?: (line: string) => boolean;
}

/**
 * Starts `/usr/bin/python3 <args>` for RPyC `version` and waits for its first stdout line.
 *
 * @example
 * const peer = await startPython("6.0.1", [`${FIXTURES}service_server.py`]);
 */
export async function startPython(
  version: string,
  args: readonly string[],
  options: StartOptions = {},
): Promise<PythonPeer> {
  const isReady = options.isReady ?? (() => true);
  const child = spawn(PYTHON, [...args], {
    env: envFor(version),
    cwd: options.cwd,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const lines = createInterface({ input: child.stdout! });
  const output: string[] = [];
  const ready = await new Promise<string>((resolve, reject) => {
    const onLine = (line: string): void => {
      if (!isReady(line)) return;
      lines.off("line", onLine);
      resolve(line);
    };
    lines.on("line", onLine);
    void exited.then((code) =>
      reject(new Error(`python exited (${code}) before ready: ${stderr}`)),
    );
  });
  lines.on("line", (line) => output.push(line));
  return {
    child,
    ready,
    output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
      lines.close();
    },
  };
}

/** Starts the custom-service ThreadedServer fixture and returns it with its port. */
export async function startServiceServer(version: string): Promise<PythonPeer & { port: number }> {
  const peer = await startPython(version, [`${FIXTURES}service_server.py`]);
  const port = Number(peer.ready.split(" ")[1]);
  return Object.assign(peer, { port });
}

/**
 * Starts RPyC's own classic server CLI (`rpyc_classic -m oneshot`, a `SlaveService` that serves
 * one connection, then exits) on 127.0.0.1 port 0. It prints "rpyc-oneshot", then
 * "<host>\t<port>" once listening.
 */
export async function startClassicServer(
  version: string,
  options: { cwd?: string; args?: readonly string[] } = {},
): Promise<PythonPeer & { port: number }> {
  const peer = await startPython(
    version,
    [
      "-c",
      "import rpyc.cli.rpyc_classic as m; m.main()",
      "-m",
      "oneshot",
      "--host",
      "127.0.0.1",
      "-p",
      "0",
      "-q",
      ...(options.args ?? []),
    ],
    { cwd: options.cwd, isReady: (line) => /^\S+\t\d+$/.test(line) },
  );
  return Object.assign(peer, { port: Number(peer.ready.split("\t")[1]) });
}
