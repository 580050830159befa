import { describe, expect, it } from "vitest";
import { parseMountArgs, parseSpec } from "../src/mount-options.ts";

describe("mount.rpycfs command line", () => {
  it("splits host:/relpath, IPv6 included", () => {
    expect(parseSpec("server:/a/b/")).toEqual({ host: "server", relpath: "/a/b" });
    expect(parseSpec("[::1]:x")).toEqual({ host: "::1", relpath: "/x" });
    expect(() => parseSpec("/no/host")).toThrow(/host:\/relpath/);
  });

  it("reads mount(8)-style -o options and refuses unknown ones", async () => {
    const o = await parseMountArgs(
      ["h:/", "/mnt", "-o", "port=1234,user=u,password=p", "-oro"],
      {},
    );
    expect(o).toMatchObject({ host: "h", port: 1234, user: "u", password: "p", readOnly: true });
    await expect(
      parseMountArgs(["h:/", "/mnt", "-o", "user=u,password=p,bogus"], {}),
    ).rejects.toThrow(/unknown option bogus/);
  });
});
