/**
 * The six workloads of the benchmark (issue 7), each with the ratio to the raw TCP floor that
 * rpyc-ts aims for. Every contender implements each workload as natively as its library allows
 * (see `ClientDriver`); a contender that cannot express one reports it as unsupported.
 */

/**
 * The workload ids, in table order.
 *
 * @example
 * for (const id of WORKLOAD_IDS) console.log(WORKLOADS[id].name);
 */
export const WORKLOAD_IDS = ["a", "b", "c", "d", "e", "f"] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

export interface Workload {
  readonly id: WorkloadId;
  /** Short name used in tables. */
  readonly name: string;
  /** What one op is, in one line. */
  readonly description: string;
  /** Calls kept in flight at once (1 = strictly sequential). */
  readonly inFlight: number;
  /** rpyc-ts's target: time per op at most this multiple of the floor's. */
  readonly target: number;
}

/** Payload size of workload (c). */
export const ECHO_BYTES = 1024 * 1024;

/** Calls in flight in workload (b). */
export const IN_FLIGHT = 64;

/**
 * Each workload with its description and rpyc-ts target.
 *
 * @example
 * WORKLOADS.a.target; // 1.15
 */
export const WORKLOADS: Readonly<Record<WorkloadId, Workload>> = {
  a: {
    id: "a",
    name: "(a) add",
    description: "sequential `await root.add(1, 2)`",
    inFlight: 1,
    target: 1.15,
  },
  b: {
    id: "b",
    name: "(b) add x64",
    description: `\`root.add(1, 2)\` with ${IN_FLIGHT} calls in flight (time per op = wall / ops)`,
    inFlight: IN_FLIGHT,
    target: 1.0,
  },
  c: {
    id: "c",
    name: "(c) echo 1 MiB",
    description: "1 MiB of random bytes echoed: `await root.echo(bytes)`",
    inFlight: 1,
    target: 1.0,
  },
  d: {
    id: "d",
    name: "(d) callback",
    description:
      "`await root.callMe(fn)`: the server calls the client's function once per call (floor: two round trips)",
    inFlight: 1,
    target: 1.2,
  },
  e: {
    id: "e",
    name: "(e) attr get",
    description: "`await root.value`: one remote attribute read",
    inFlight: 1,
    target: 1.15,
  },
  f: {
    id: "f",
    name: "(f) chain x3",
    description:
      "`await root.make().next().value`: three dependent operations (floor: one round trip)",
    inFlight: 1,
    target: 1.3,
  },
};

/** Parses a comma-separated list like "a,c,f"; throws on an unknown id. */
export function parseWorkloadList(text: string): WorkloadId[] {
  const ids = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const id of ids) {
    if (!(WORKLOAD_IDS as readonly string[]).includes(id)) {
      throw new Error(`unknown workload '${id}' (use some of ${WORKLOAD_IDS.join(",")})`);
    }
  }
  return ids as WorkloadId[];
}
