import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, resolveLimits } from "@rpyc/protocol";

describe("limits", () => {
  it("exports frozen, documented defaults", () => {
    expect(DEFAULT_LIMITS).toStrictEqual({
      maxFrameBytes: 64 * 1024 * 1024,
      maxDepth: 64,
      maxArrayLength: 1_048_576,
      maxMapSize: 262_144,
      maxStringBytes: 16 * 1024 * 1024,
      maxBytesLength: 64 * 1024 * 1024,
      maxItems: 2_097_152,
    });
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
  });

  it("lays a partial override over the defaults, returning a fresh object", () => {
    const limits = resolveLimits({ maxDepth: 8 });
    expect(limits).toStrictEqual({ ...DEFAULT_LIMITS, maxDepth: 8 });
    expect(resolveLimits()).not.toBe(DEFAULT_LIMITS);
    expect(resolveLimits({ maxDepth: undefined })).toStrictEqual(DEFAULT_LIMITS);
  });

  it("refuses values that are not positive integers, or frames a prefix cannot announce", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) {
      expect(() => resolveLimits({ maxArrayLength: bad })).toThrow(
        /maxArrayLength must be a positive integer/,
      );
    }
    expect(() => resolveLimits({ maxFrameBytes: 2 ** 32 })).toThrow(/at most 4294967295/);
  });
});
