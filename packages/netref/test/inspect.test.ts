/**
 * How netrefs and remote promises print in Node: `util.inspect` and `console.log` show a short
 * description, never the proxy's target or the session behind it, and send nothing.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { RefKind, WireRef } from "@rpyc/protocol";
import { RefSession, release, type NetrefHost, type OutgoingCall } from "@rpyc/netref";

function session() {
  const requests: string[] = [];
  const host: NetrefHost = {
    request(op, _target, name): OutgoingCall {
      requests.push(`${op}:${String(name)}`);
      return { seq: 1, promise: new Promise(() => {}), pin: () => undefined, canPin: () => false };
    },
    scheduleRelease: () => {},
  };
  const s = new RefSession(host, { root: {}, peerName: () => "BANK" });
  return { s, requests };
}

describe("util.inspect of netrefs", () => {
  it("prints <netref #id of PEER>, also nested and in console.log's format", () => {
    const { s, requests } = session();
    const ref = s.unbox(new WireRef(RefKind.Mine, 3)) as object;
    expect(inspect(ref)).toBe("<netref #3 of BANK>");
    expect(inspect({ account: ref, list: [ref] })).toBe(
      "{ account: <netref #3 of BANK>, list: [ <netref #3 of BANK> ] }",
    );
    expect(inspect(s.root)).toBe("<netref root of BANK>");
    expect(inspect(ref, { colors: true, depth: 0 })).toBe("<netref #3 of BANK>");
    release(ref);
    expect(inspect(ref)).toBe("<netref #3 of BANK (released)>");
    expect(requests).toEqual([]); // printing sends nothing
  });

  it("prints a remote promise by the member it reads, without sending a request", () => {
    const { s, requests } = session();
    const root = s.root as Record<string, object>;
    expect(inspect(root.balance)).toBe("[RemotePromise .balance]");
    expect(inspect({ p: root.owner })).toBe("{ p: [RemotePromise .owner] }");
    expect(requests).toEqual([]);
  });
});
