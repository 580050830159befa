/**
 * The registry wire format, on bytes: the fixtures below are the ones the README documents.
 */
import { encode } from "cbor-x";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_REGISTRY_LIMITS } from "../src/index.ts";
import {
  decodeReply,
  decodeRequest,
  encodeReply,
  encodeRequest,
  type RegistryRequest,
} from "../src/registry-wire.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const QUERY_TIME = "8564525059430107655155455259816454494d45";
const REPLY_ONE_ENDPOINT = "8564525059430107624f4b8183693132372e302e302e311949ad1905dc";

describe("registry wire format", () => {
  it("encodes a QUERY as the documented bytes, and reads it back", () => {
    const request: RegistryRequest = { id: 7, command: "QUERY", name: "TIME" };
    expect(hex(encodeRequest(request))).toBe(QUERY_TIME);
    expect(decodeRequest(Buffer.from(QUERY_TIME, "hex"), DEFAULT_REGISTRY_LIMITS)).toEqual({
      kind: "request",
      request,
    });
  });

  it("encodes a QUERY reply as the documented bytes, and reads it back", () => {
    const reply = { id: 7, ok: true as const, result: [["127.0.0.1", 18861, 1500]] };
    expect(hex(encodeReply(reply, 1500).bytes)).toBe(REPLY_ONE_ENDPOINT);
    expect(decodeReply(Buffer.from(REPLY_ONE_ENDPOINT, "hex"))).toEqual(reply);
  });

  it("round-trips every command and an error reply", () => {
    const requests: RegistryRequest[] = [
      { id: 1, command: "REGISTER", names: ["TIME", "CLOCK"], port: 18861 },
      { id: 2, command: "UNREGISTER", port: 18861 },
      { id: 3, command: "QUERY", name: "TIME" },
      { id: 4, command: "LIST", filterHost: null },
      { id: 0xffff_ffff, command: "LIST", filterHost: "10.0.0.1" },
    ];
    for (const request of requests) {
      expect(decodeRequest(encodeRequest(request), DEFAULT_REGISTRY_LIMITS)).toEqual({
        kind: "request",
        request,
      });
    }
    const error = {
      id: 9,
      ok: false as const,
      code: "RPYC_ERR_LISTING_DISABLED",
      message: "listing is disabled",
    };
    expect(decodeReply(encodeReply(error, 1500).bytes)).toEqual(error);
  });

  it("classifies what it cannot read, and never throws", () => {
    const limits = DEFAULT_REGISTRY_LIMITS;
    const kind = (bytes: Uint8Array) => decodeRequest(bytes, limits).kind;
    expect(kind(Buffer.alloc(limits.maxRequestBytes + 1))).toBe("oversize");
    expect(kind(Buffer.from([0x1c]))).toBe("malformed"); // reserved additional-info value
    expect(kind(Buffer.from([0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(
      "malformed",
    ); // absurd array length
    expect(kind(encode({ magic: "RPYC" }))).toBe("malformed");
    expect(kind(encode(["RPYC", 1, 1, "QUERY", [42]]))).toBe("malformed");
    expect(kind(encode(["RPYC", 1, 1, "UNREGISTER", [1.5]]))).toBe("malformed");
    expect(kind(encode(["RPYC", 1, 1, "LIST", [null, null]]))).toBe("malformed");
    expect(kind(encode(["RPYC", 1, 1, "SHUTDOWN", []]))).toBe("unknown-command");
  });

  it("never throws on arbitrary bytes, nor on mutations of valid requests (fast-check)", () => {
    const kinds = ["oversize", "malformed", "unknown-command", "request"];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(kinds).toContain(decodeRequest(bytes, DEFAULT_REGISTRY_LIMITS).kind);
        decodeReply(bytes);
      }),
      { numRuns: 500 },
    );
    const valid = encodeRequest({ id: 1, command: "REGISTER", names: ["TIME", "CLOCK"], port: 1 });
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const mutated = Uint8Array.from(valid);
        mutated[at] = byte;
        expect(kinds).toContain(decodeRequest(mutated, DEFAULT_REGISTRY_LIMITS).kind);
      }),
      { numRuns: 500 },
    );
  });

  it("reads replies defensively: anything else is undefined", () => {
    expect(decodeReply(Buffer.from([0xff]))).toBeUndefined();
    expect(decodeReply(encode(["RPYC", 1, 7, "MAYBE", null]))).toBeUndefined();
    expect(decodeReply(encode(["RPYC", 1, 7, "ERR", "no"]))).toBeUndefined();
    expect(decodeReply(encode(["RPYC", 2, 7, "OK", null]))).toBeUndefined();
  });

  it("cuts an array result from the front to fit, and replaces anything else by a coded error", () => {
    const endpoints = Array.from({ length: 100 }, (_, i) => ["10.0.0.1", 1000 + i, i]);
    const { bytes, truncated } = encodeReply({ id: 1, ok: true, result: endpoints }, 300);
    expect(truncated).toBe(true);
    expect(bytes.length).toBeLessThanOrEqual(300);
    const reply = decodeReply(bytes);
    const kept = (reply as { result: unknown[][] }).result;
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.at(-1)).toEqual(["10.0.0.1", 1099, 99]);
    const notArray = encodeReply({ id: 1, ok: true, result: "x".repeat(400) }, 300);
    expect(decodeReply(notArray.bytes)).toMatchObject({
      ok: false,
      code: "RPYC_ERR_REGISTRY_REPLY_TOO_LARGE",
    });
  });
});
