/**
 * ARCHITECTURE §6, one test per rule: what a hostile peer holding netrefs can never do. The
 * "attacker" is an ordinary client using the public API; each denial must be a coded error
 * naming the attribute, and the connection must stay usable afterwards.
 */
import { describe, expect, it } from "vitest";
import {
  AccessDeniedError,
  Service,
  byRef,
  connectPair,
  delAttr,
  release,
  restricted,
  setAttr,
  type Connection,
} from "@rpyc/core";
import { finish } from "./harness.ts";

class ChatService extends Service {
  secret = "hunter2";
  _token = "t";
  #vault = "v";
  readonly box = byRef({ value: 1, _hidden: 2 });
  say(text: string) {
    return `said ${text}`;
  }
  get topic() {
    return "rpyc";
  }
  _internal() {
    return this.#vault;
  }
  getBox() {
    return this.box;
  }
  limited() {
    return restricted({ read: () => "r", write: () => "w", size: 3 }, ["read", "size"]);
  }
  makeUser() {
    return new User();
  }
  async probe(cb: (x: number) => unknown, what: "get" | "new" | "set") {
    const asAny = cb as unknown as Record<string, Promise<unknown>> & (new () => unknown);
    if (what === "get") return await asAny["constructor"]!;
    if (what === "new") return await new asAny();
    return await setAttr(cb, "x", 1);
  }
}

class User {
  name = "ann";
  greet() {
    return `hi ${this.name}`;
  }
}

async function denied(promise: PromiseLike<unknown>): Promise<AccessDeniedError> {
  const error = await Promise.resolve(promise).then(
    () => {
      throw new Error("expected an AccessDeniedError");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AccessDeniedError);
  expect((error as AccessDeniedError).code).toBe("RPYC_ERR_ACCESS_DENIED");
  return error as AccessDeniedError;
}

async function stillUsable(client: Connection) {
  expect(await client.root.say("ok")).toBe("said ok");
}

describe("security: what a hostile peer cannot do", () => {
  it("cannot reach constructor, __proto__, prototype, Function, globalThis, process or require", async () => {
    const [client, server] = await connectPair({}, { service: ChatService });
    const root = client.root as any;
    for (const name of [
      "constructor",
      "__proto__",
      "prototype",
      "__defineGetter__",
      "__lookupGetter__",
      "hasOwnProperty",
      "valueOf",
      "isPrototypeOf",
    ]) {
      const error = await denied(root[name]);
      expect(error.message).toContain(`'${name}'`);
      expect(error.message).toMatch(/blocked for security/);
    }
    // Function via a method's constructor: reading anything from a function is refused.
    expect((await denied(root.say.constructor)).message).toMatch(/can only be called/);
    await denied(root.say.constructor("return process")());
    for (const name of ["globalThis", "process", "require", "Function", "global", "eval"]) {
      expect((await denied(root[name])).message).toContain(`'${name}'`);
    }
    await stillUsable(client);
    await finish(client, server);
  });

  it("cannot pollute Object.prototype", async () => {
    const [client, server] = await connectPair(
      {},
      { service: ChatService, config: { allowSetAttr: true, allowPublicAttrs: true } },
    );
    const payload = JSON.parse(
      '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}',
    ) as object;
    const back = (await client.root.say(payload as never)) as string;
    expect(back).toBe("said [object Object]");
    await denied(setAttr(client.root, "__proto__", { polluted: "yes" }));
    const box = await client.root.getBox();
    await denied(setAttr(box, "__proto__", { polluted: "yes" }));
    await denied(setAttr(box, "constructor", { polluted: "yes" }));
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    release(box);
    await stillUsable(client);
    await finish(client, server);
  });

  it("cannot read what is not exposed; the message names the attribute, the class and the fix", async () => {
    const [client, server] = await connectPair({}, { service: ChatService });
    const root = client.root as any;
    const error = await denied(root.secret);
    expect(error.message).toBe(
      "attribute 'secret' is not exposed by ChatService (expose it, or set allowPublicAttrs)",
    );
    expect(error.attribute).toBe("secret");
    expect((await denied(root._token)).message).toMatch(/allowAllAttrs/);
    expect((await denied(root._internal())).message).toMatch(/'_internal'/);
    await denied(root.onConnect(client));
    await denied(root.connection);
    await denied(root.doesNotExist());
    expect(await client.root.topic).toBe("rpyc"); // accessors are exposed
    await stillUsable(client);
    await finish(client, server);
  });

  it("cannot read #private members, whatever the config", async () => {
    const [client, server] = await connectPair(
      {},
      { service: ChatService, config: { allowAllAttrs: true, allowPublicAttrs: true } },
    );
    const root = client.root as any;
    await denied(root["#vault"]);
    expect(await root._internal()).toBe("v"); // allowAllAttrs opened "_" names: only the owner's choice
    expect(await root.secret).toBe("hunter2"); // allowPublicAttrs opened data fields
    await denied(root.constructor); // never, whatever the config
    await finish(client, server);
  });

  it("cannot set or delete attributes unless allowed; a service refuses always", async () => {
    const [client, server] = await connectPair({}, { service: ChatService });
    expect((await denied(setAttr(client.root, "secret", "x"))).message).toMatch(
      /services refuse set and delete/,
    );
    await denied(delAttr(client.root, "secret"));
    const box = await client.root.getBox();
    expect((await denied(setAttr(box, "value", 2))).message).toMatch(/allowSetAttr/);
    expect((await denied(delAttr(box, "value"))).message).toMatch(/allowDelAttr/);
    expect(await box.value).toBe(1);
    release(box);
    await stillUsable(client);
    await finish(client, server);
  });

  it("sets and deletes on plain objects when the owner allows it (never on the service)", async () => {
    const [client, server] = await connectPair(
      {},
      { service: ChatService, config: { allowSetAttr: true, allowDelAttr: true } },
    );
    const box = await client.root.getBox();
    await setAttr(box, "value", 5);
    expect((server.service as ChatService).box.value).toBe(5);
    expect(await delAttr(box, "value")).toBe(true);
    await denied(setAttr(box, "_hidden", 1));
    await denied(setAttr(client.root, "secret", "x"));
    release(box);
    await finish(client, server);
  });

  it("class instances expose methods, not data fields (unless allowPublicAttrs)", async () => {
    const [client, server] = await connectPair({}, { service: ChatService });
    const user = await client.root.makeUser();
    expect(await user.greet()).toBe("hi ann");
    expect((await denied(user.name)).message).toBe(
      "attribute 'name' is not exposed by User (expose it, or set allowPublicAttrs)",
    );
    release(user);
    await finish(client, server);
  });

  it("restricted() exposes exactly the listed names", async () => {
    const [client, server] = await connectPair({}, { service: ChatService });
    const view = (await client.root.limited()) as any;
    expect(await view.read()).toBe("r");
    expect(await view.size).toBe(3);
    expect((await denied(view.write())).message).toMatch(/'write'.*restricted\(\) names/);
    release(view);
    await finish(client, server);
  });

  it("can do nothing with a function it received but call it", async () => {
    const [client, server] = await connectPair({}, { service: ChatService });
    const cb = (x: number) => x;
    for (const what of ["get", "new", "set"] as const) {
      const error = await denied(client.root.probe(cb, what));
      expect(error.message).toMatch(/can only be called|cannot be constructed/);
    }
    await stillUsable(client);
    await finish(client, server);
  });

  it("each side enforces its own policy", async () => {
    // The client allows everything on its side; that opens nothing on the server.
    const [client, server] = await connectPair(
      { config: { allowPublicAttrs: true, allowAllAttrs: true } },
      { service: ChatService },
    );
    await denied((client.root as any).secret);
    await finish(client, server);
    // The server opening public attrs is what exposes them.
    const [c2, s2] = await connectPair(
      {},
      { service: ChatService, config: { allowPublicAttrs: true } },
    );
    expect(await (c2.root as any).secret).toBe("hunter2");
    await finish(c2, s2);
  });
});
