import { describe, expect, it } from "vitest";
import {
  AccessDeniedError,
  DEFAULT_ACCESS_CONFIG,
  EXPOSURE_BOUNDARY,
  alwaysBlockedNames,
  byRef,
  checkWrite,
  exposedNames,
  findMember,
  isExposed,
  restricted,
} from "@rpyc/netref";

class Base {
  get [EXPOSURE_BOUNDARY]() {
    return ["onConnect"];
  }
  inherited() {}
  onConnect() {}
}

class Chat extends Base {
  secret = 42;
  _hidden() {}
  #priv = 1;
  say() {
    return this.#priv;
  }
  get topic() {
    return "t";
  }
  override onConnect() {}
}

const cfg = DEFAULT_ACCESS_CONFIG;
const denial = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as AccessDeniedError;
  }
  throw new Error("expected a denial");
};

describe("access policy", () => {
  it("exposes class-body methods and accessors below the boundary", () => {
    const chat = new Chat();
    expect(findMember(chat, "say", cfg).kind).toBe("method");
    expect(findMember(chat, "topic", cfg).kind).toBe("accessor");
    expect(exposedNames(chat, cfg).sort()).toEqual(["say", "topic"]);
  });

  it("hides what the boundary declares, even when overridden", () => {
    const err = denial(() => findMember(new Chat(), "onConnect", cfg));
    expect(err.code).toBe("RPYC_ERR_ACCESS_DENIED");
    expect(isExposed(new Chat(), "inherited", cfg)).toBe(false);
  });

  it("names the attribute, the class and the knob", () => {
    const err = denial(() => findMember(new Chat(), "secret", cfg));
    expect(err.message).toBe(
      "attribute 'secret' is not exposed by Chat (expose it, or set allowPublicAttrs)",
    );
    expect(err.attribute).toBe("secret");
    expect(findMember(new Chat(), "secret", { ...cfg, allowPublicAttrs: true }).kind).toBe("data");
  });

  it("needs allowAllAttrs for '_' names", () => {
    expect(denial(() => findMember(new Chat(), "_hidden", cfg)).message).toMatch(/allowAllAttrs/);
    expect(findMember(new Chat(), "_hidden", { ...cfg, allowAllAttrs: true }).kind).toBe("method");
  });

  it("blocks the dangerous names whatever the config", () => {
    const all = {
      allowPublicAttrs: true,
      allowAllAttrs: true,
      allowSetAttr: true,
      allowDelAttr: true,
    };
    for (const name of [
      "constructor",
      "__proto__",
      "prototype",
      "__defineGetter__",
      "__lookupSetter__",
      "toString",
      "valueOf",
      "hasOwnProperty",
      "call",
      "apply",
      "bind",
    ]) {
      expect(alwaysBlockedNames().has(name)).toBe(true);
      expect(denial(() => findMember(new Chat(), name, all)).message).toMatch(
        /blocked for security/,
      );
      expect(denial(() => findMember(byRef({ [name]: 1 }), name, all)).code).toBe(
        "RPYC_ERR_ACCESS_DENIED",
      );
      expect(() => checkWrite(byRef({}), name, "set", all)).toThrow(AccessDeniedError);
    }
    expect(alwaysBlockedNames().has("name")).toBe(false);
  });

  it("lets a function only be called", () => {
    const fn = () => 1;
    expect(denial(() => findMember(fn, "length", cfg)).message).toMatch(/can only be called/);
    expect(() => checkWrite(fn, "x", "set", { ...cfg, allowSetAttr: true })).toThrow(
      /can only be called/,
    );
  });

  it("exposes exactly the names of a restricted view", () => {
    const view = restricted(new Chat(), ["say", "secret"], { writable: ["secret"] });
    expect(findMember(view, "say", cfg).kind).toBe("method");
    expect(findMember(view, "secret", cfg).kind).toBe("data");
    expect(denial(() => findMember(view, "topic", cfg)).message).toMatch(/restricted\(\) names/);
    expect(checkWrite(view, "secret", "set", cfg)).toBe("secret");
    expect(() => checkWrite(view, "say", "set", cfg)).toThrow(AccessDeniedError);
    expect(() => findMember(restricted({}, ["constructor"]), "constructor", cfg)).toThrow(
      /blocked/,
    );
  });

  it("needs allowSetAttr/allowDelAttr, and a boundary class refuses both always", () => {
    const rec = byRef({ a: 1 });
    expect(() => checkWrite(rec, "a", "set", cfg)).toThrow(/allowSetAttr/);
    expect(checkWrite(rec, "a", "set", { ...cfg, allowSetAttr: true })).toBe("a");
    expect(() => checkWrite(rec, "a", "delete", cfg)).toThrow(/allowDelAttr/);
    const all = {
      allowPublicAttrs: true,
      allowAllAttrs: true,
      allowSetAttr: true,
      allowDelAttr: true,
    };
    expect(() => checkWrite(new Chat(), "secret", "set", all)).toThrow(
      /services refuse set and delete/,
    );
  });

  it("exposes own properties of plain objects and arrays (not '_' ones)", () => {
    expect(findMember({ a: 1 }, "a", cfg).kind).toBe("data");
    expect(() => findMember({ _a: 1 }, "_a", cfg)).toThrow(AccessDeniedError);
    expect(() => findMember({}, "missing", cfg)).toThrow(/not an own property/);
    expect(findMember([1, 2], 0, cfg).kind).toBe("data");
    expect(findMember([1, 2], "length", cfg).kind).toBe("data");
  });
});
