import { describe, expect, it } from "vitest";
import {
  AccessDeniedError,
  ConnectionClosedError,
  RemoteError,
  RpycError,
  Service,
  TimeoutError,
  connectPair,
  isRemoteError,
  registerError,
} from "@rpyc/core";
import { finish } from "./harness.ts";

class QuotaError extends Error {
  override name = "QuotaError";
  constructor(
    message: string,
    readonly limit: number,
  ) {
    super(message);
  }
}

class UnknownKindError extends Error {
  override name = "UnknownKindError";
}

class Failing extends Service {
  builtin(kind: string): never {
    const classes: Record<string, ErrorConstructor> = {
      TypeError,
      RangeError,
      SyntaxError,
      ReferenceError,
      EvalError,
      URIError,
      Error,
    };
    throw new classes[kind]!(`a ${kind}`);
  }
  aggregate(): never {
    throw new AggregateError([new TypeError("one"), new RangeError("two")], "both");
  }
  rich(): never {
    throw Object.assign(new Error("rich", { cause: new RangeError("because") }), {
      code: "E_RICH",
      detail: { n: 1 },
    });
  }
  quota(): never {
    throw new QuotaError("over quota", 10);
  }
  unknown(): never {
    throw new UnknownKindError("who knows");
  }
  rpyc(): never {
    throw new TimeoutError("a library error travels as itself");
  }
  async rejectsLater() {
    await Promise.resolve();
    throw new TypeError("async failure");
  }
  coded(kind: string): never {
    const codes: Record<string, unknown> = { number: 42, zero: 0, object: { errno: -2 } };
    const Cls = kind === "unknown" ? UnknownKindError : kind === "quota" ? QuotaError : Error;
    throw Object.assign(new Cls("coded", 1), { code: codes[kind] ?? 7 });
  }
  throwsString(): never {
    throw "plain string";
  }
}

describe("errors across the wire", () => {
  it("built-in error classes come back as themselves, with the remote stack", async () => {
    const [client, server] = await connectPair({}, { service: Failing });
    for (const [kind, Cls] of Object.entries({
      TypeError,
      RangeError,
      SyntaxError,
      ReferenceError,
      EvalError,
      URIError,
      Error,
    })) {
      const error = (await client.root.builtin(kind).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(Cls);
      expect(error.constructor).toBe(Cls);
      expect(error.message).toBe(`a ${kind}`);
      expect(error.stack).toMatch(/builtin/); // the remote frame
    }
    const agg = (await client.root.aggregate().catch((e: unknown) => e)) as AggregateError;
    expect(agg).toBeInstanceOf(AggregateError);
    expect(agg.errors.map((e: Error) => e.constructor)).toEqual([TypeError, RangeError]);
    await expect(client.root.rejectsLater()).rejects.toThrow(TypeError);
    await finish(client, server);
  });

  it("keeps name, message, code, cause and own properties", async () => {
    const [client, server] = await connectPair({}, { service: Failing });
    const error = (await client.root.rich().catch((e: unknown) => e)) as Error & {
      code: string;
      detail: unknown;
    };
    expect(error.message).toBe("rich");
    expect(error.code).toBe("E_RICH");
    expect(error.detail).toEqual({ n: 1 });
    expect(error.cause).toBeInstanceOf(RangeError);
    expect((error.cause as Error).message).toBe("because");
    await finish(client, server);
  });

  it("registered custom classes come back as themselves; others as RemoteError", async () => {
    const [client, server] = await connectPair({}, { service: Failing });
    const unknown = (await client.root.unknown().catch((e: unknown) => e)) as RemoteError;
    expect(unknown).toBeInstanceOf(RemoteError);
    expect(unknown.remoteName).toBe("UnknownKindError");
    expect(unknown.message).toBe("who knows");
    expect(unknown.code).toBeUndefined(); // the thrower had none: none is made up
    expect(isRemoteError(unknown)).toBe(true);
    registerError(QuotaError);
    const quota = (await client.root.quota().catch((e: unknown) => e)) as QuotaError;
    expect(quota).toBeInstanceOf(QuotaError);
    expect(quota.name).toBe("QuotaError");
    expect(quota.limit).toBe(10);
    await finish(client, server);
  });

  it("keeps the thrower's code whatever its type; remoteness is isRemoteError", async () => {
    const [client, server] = await connectPair({}, { service: Failing });
    registerError(QuotaError);
    const codeOf = async (kind: string) => {
      const error = (await client.root.coded(kind).catch((e: unknown) => e)) as Error;
      expect(isRemoteError(error)).toBe(true);
      return (error as { code?: unknown }).code;
    };
    expect(await codeOf("number")).toBe(42);
    expect(await codeOf("zero")).toBe(0);
    expect(await codeOf("object")).toEqual({ errno: -2 });
    expect(await codeOf("unknown")).toBe(7); // a RemoteError
    expect(await codeOf("quota")).toBe(7); // a registered class
    const local = Object.assign(new Error("local"), { code: 42 });
    expect(isRemoteError(local)).toBe(false);
    await finish(client, server);
  });

  it("rpyc-ts's own errors come back as themselves", async () => {
    const [client, server] = await connectPair({}, { service: Failing });
    const error = await client.root.rpyc().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(RpycError);
    expect((error as TimeoutError).code).toBe("RPYC_ERR_TIMEOUT");
    const denied = await (client.root as any).nope.catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AccessDeniedError);
    expect((denied as AccessDeniedError).attribute).toBe("nope");
    await finish(client, server);
  });

  it("omits the stack when the sender sets includeRemoteStack: false", async () => {
    const [client, server] = await connectPair(
      {},
      { service: Failing, config: { includeRemoteStack: false } },
    );
    const error = (await client.root.builtin("TypeError").catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.stack).not.toMatch(/builtin/);
    await finish(client, server);
  });

  it("a thrown non-error arrives as an Error carrying it as cause", async () => {
    const [client, server] = await connectPair({}, { service: Failing });
    const error = (await client.root.throwsString().catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/plain string/);
    expect(error.cause).toBe("plain string");
    await finish(client, server);
  });

  it("ConnectionClosedError carries the code", async () => {
    const [client, server] = await connectPair({}, { service: Failing });
    await client.close();
    const error = await client.root.unknown().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as ConnectionClosedError).code).toBe("RPYC_ERR_CONNECTION_CLOSED");
    await server.close();
  });
});
