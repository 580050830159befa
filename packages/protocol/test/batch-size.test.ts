import { describe, expect, it } from "vitest";
import {
  DEFAULT_LIMITS,
  MessageKind,
  decodeMessage,
  encodeMessage,
  forgetBatchSize,
  releaseBatchSize,
} from "../src/index.ts";

describe("batch sizes that fit the receiver's limits", () => {
  it.each([
    ["maxArrayLength", { maxArrayLength: 1000 }],
    ["maxItems", { maxItems: 3001 }],
    ["maxFrameBytes", { maxFrameBytes: 20_000 }],
  ])("a full Release and Forget decode under a tight %s", (_, tight) => {
    const limits = { ...DEFAULT_LIMITS, ...tight };
    const pairs = releaseBatchSize(limits);
    const widest = 0xffff_ffff;
    const release = encodeMessage(
      {
        kind: MessageKind.Release,
        ids: Array.from({ length: pairs }, () => widest),
        counts: Array.from({ length: pairs }, () => widest),
      },
      DEFAULT_LIMITS,
    );
    expect(release.byteLength).toBeLessThanOrEqual(limits.maxFrameBytes);
    expect(decodeMessage(release, limits)).toMatchObject({ kind: MessageKind.Release });
    const seqs = Array.from({ length: forgetBatchSize(limits) }, () => widest);
    const forget = encodeMessage({ kind: MessageKind.Forget, seqs }, DEFAULT_LIMITS);
    expect(forget.byteLength).toBeLessThanOrEqual(limits.maxFrameBytes);
    expect(decodeMessage(forget, limits)).toMatchObject({ kind: MessageKind.Forget });
  });
});
