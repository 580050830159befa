/**
 * `ws` masks and unmasks every client frame in JavaScript unless its optional native helper
 * `bufferutil` loads (46% of a ws client's time on 1 MiB echoes, see packages/bench). This
 * package depends on it optionally; here we check it is really there, so a broken install shows
 * up as a failing test instead of a silent slowdown.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

describe("native WebSocket masking", () => {
  it("bufferutil resolves next to ws and loads its native mask/unmask", () => {
    const wsRequire = createRequire(createRequire(import.meta.url).resolve("ws"));
    const bufferutil = wsRequire("bufferutil") as {
      mask: (...args: unknown[]) => void;
      unmask: (...args: unknown[]) => void;
    };
    const data = Uint8Array.of(1, 2, 3, 4, 5);
    const mask = Uint8Array.of(0xff, 0, 0xff, 0);
    bufferutil.unmask(data, mask);
    expect([...data]).toEqual([0xfe, 2, 0xfc, 4, 0xfa]);
    // bufferutil falls back to JavaScript (fallback.js) when its addon does not load.
    expect(Function.prototype.toString.call(bufferutil.unmask)).toContain("[native code]");
  });
});
