/**
 * The contenders, as the orchestrator sees them: how to start each one's server and client
 * process, and whether it can run on this machine.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ProcessCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** How to start a Node child: its contender's bundle (build-children.ts), and extra Node flags. */
export interface NodeLaunch {
  readonly entry: string;
  readonly flags: readonly string[];
}

export interface Contender {
  readonly id: string;
  readonly label: string;
  /** The one every ratio divides by. */
  readonly isFloor: boolean;
  /** Diagnostic only: runs when named in `--contenders`, never by default. */
  readonly extra?: boolean;
  /** null when it can run here, else why not (shown in the table as "not installed: …"). */
  availability(): Promise<string | null>;
  server(node: NodeLaunch): ProcessCommand;
  client(port: number, node: NodeLaunch): ProcessCommand;
}

/** Root of packages/bench (the cwd of every child process). */
export const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url));

/** Python with Debian's `python3-rpyc`; override with BENCH_PYTHON. */
export const PYTHON = process.env.BENCH_PYTHON ?? "/usr/bin/python3";

function nodeChild(role: string, extra: readonly string[], node: NodeLaunch): ProcessCommand {
  return { command: process.execPath, args: [...node.flags, node.entry, role, ...extra] };
}

function nodeContender(
  id: string,
  label: string,
  availability: () => Promise<string | null> = async () => null,
): Contender {
  return {
    id,
    label,
    isFloor: id === "floor",
    availability,
    server: (node) => nodeChild("server", [], node),
    client: (port, node) => nodeChild("client", [String(port)], node),
  };
}

/** Whether a workspace package already exports the functions the contender needs. */
async function exportsFunctions(
  specifier: string,
  names: readonly string[],
): Promise<string | null> {
  try {
    const module = (await import(specifier)) as Record<string, unknown>;
    const missing = names.filter((name) => typeof module[name] !== "function");
    return missing.length === 0 ? null : `${specifier} does not export ${missing.join(", ")} yet`;
  } catch (error) {
    return `${specifier} failed to load: ${(error as Error).message.split("\n")[0]}`;
  }
}

/**
 * Every contender, in table order (the diagnostic `rpyc-stream` only runs when named).
 *
 * @example
 * for (const c of CONTENDERS) console.log(c.id, await c.availability());
 */
export const CONTENDERS: readonly Contender[] = [
  nodeContender("floor", "raw TCP floor"),
  nodeContender("pingpong", "ping-pong (floor sanity check)"),
  nodeContender("rpyc-tcp", "rpyc-ts tcp", () =>
    exportsFunctions("@rpyc/transport-tcp", ["connect", "serve"]),
  ),
  nodeContender("rpyc-ws", "rpyc-ts ws", async () => {
    const client = await exportsFunctions("@rpyc/transport-ws/node", ["connect"]);
    return client ?? exportsFunctions("@rpyc/transport-ws/server", ["serve"]);
  }),
  nodeContender("capnweb", "capnweb ws"),
  nodeContender("birpc", "birpc ws (JSON)"),
  { ...nodeContender("rpyc-stream", "rpyc-ts core on net.Socket"), extra: true },
  {
    id: "python-rpyc",
    label: "Python RPyC tcp",
    isFloor: false,
    availability: async () => {
      const probe = spawnSync(PYTHON, ["-c", "import rpyc; print(rpyc.__version__)"], {
        encoding: "utf8",
      });
      return probe.status === 0 ? null : `not installed (${PYTHON} cannot import rpyc)`;
    },
    server: () => ({ command: PYTHON, args: ["-u", "python/rpyc_server.py"] }),
    client: (port) => ({ command: PYTHON, args: ["-u", "python/rpyc_client.py", String(port)] }),
  },
];

/**
 * Parses a comma-separated list of contender ids (undefined: the default set); throws on an
 * unknown one.
 *
 * @example
 * selectContenders("floor,rpyc-tcp").map((c) => c.label); // ["raw TCP floor", "rpyc-ts tcp"]
 */
export function selectContenders(text: string | undefined): Contender[] {
  if (text === undefined) return CONTENDERS.filter((c) => c.extra !== true);
  const ids = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const chosen = ids.map((id) => {
    const found = CONTENDERS.find((c) => c.id === id);
    if (found === undefined) {
      throw new Error(
        `unknown contender '${id}' (use some of ${CONTENDERS.map((c) => c.id).join(",")})`,
      );
    }
    return found;
  });
  return chosen;
}
