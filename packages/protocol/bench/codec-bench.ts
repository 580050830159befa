/**
 * Micro-benchmark of the codec. First, encode and decode apart, in ns per message, of the hot
 * messages: on the full path (walk + cbor-x; scan + cbor-x) and through encodeMessage /
 * decodeMessage (which take the fast paths). Then ops/s and MB/s (MB = 10^6 bytes) of
 * encode+decode of a small call and of a 1 MiB byte payload, each also as one framed round
 * (encodeMessage → frameHeader → FrameDecoder → decodeMessage), and of a hand-rolled binary
 * encoding of the same small call, the yardstick issue 7 compares against.
 * Run: `pnpm bench` in packages/protocol (`pnpm bench --micro`: only the ns-per-message lines). */
import {
  FrameDecoder,
  MessageKind,
  Op,
  RefKind,
  WireRef,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  encodeMessageSegments,
  frameHeader,
  type Message,
} from "@rpyc/protocol";
import { decodeMessageFull, encodeMessageFull } from "../src/codec/codec.ts";

/** Ops per second of `run` over one ~0.5 s window. */
function rate(run: () => void): number {
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < 500) {
    for (let i = 0; i < 100; i++) run();
    ops += 100;
    elapsed = performance.now() - start;
  }
  return (ops / elapsed) * 1000;
}

/** The median of five windows (the machine is shared: single windows are noisy). */
function median(run: () => void): number {
  for (let i = 0; i < 2000; i++) run(); // warm up
  const rates = Array.from({ length: 5 }, () => rate(run)).sort((a, b) => a - b);
  return rates[2] as number;
}

function measure(name: string, bytesPerOp: number, run: () => void): void {
  const opsPerSecond = median(run);
  const mbPerSecond = (opsPerSecond * bytesPerOp) / 1e6;
  console.log(
    `${name.padEnd(62)} ${Math.round(opsPerSecond).toLocaleString("en-US").padStart(11)} ops/s ` +
      `${mbPerSecond.toFixed(1).padStart(9)} MB/s  (${bytesPerOp} bytes/op)`,
  );
}

/** Prints nanoseconds per message of the full path (`full`) and of encodeMessage/decodeMessage. */
function perMessage(name: string, full: () => void, run: () => void): void {
  const before = 1e9 / median(full);
  const after = 1e9 / median(run);
  console.log(
    `${name.padEnd(40)} full path ${before.toFixed(0).padStart(7)} ns  now ${after
      .toFixed(0)
      .padStart(7)} ns  (${(before / after).toFixed(2)}x)`,
  );
}

const call: Message = {
  kind: MessageKind.Request,
  seq: 1,
  op: Op.CallAttr,
  target: new WireRef(RefKind.Yours, 0),
  name: "add",
  args: [1, 2],
};
const big: Message = {
  kind: MessageKind.Reply,
  seq: 1,
  value: new Uint8Array(1024 * 1024).fill(7),
};
const three: Message = { kind: MessageKind.Reply, seq: 1, value: 3 };
let sink: unknown;
for (const [name, message] of [
  ["Request add(1, 2)", call],
  ["Reply 3", three],
  ["Reply 1 MiB bytes", big],
] as const) {
  const payload = encodeMessage(message).slice();
  perMessage(
    `encode ${name}`,
    () => (sink = encodeMessageFull(message)),
    () => (sink = encodeMessage(message)),
  );
  perMessage(
    `decode ${name}`,
    () => (sink = decodeMessageFull(payload)),
    () => (sink = decodeMessage(payload)),
  );
}
perMessage(
  "frame of Request add(1, 2)",
  () => (sink = encodeFrame(encodeMessageFull(call))),
  () => (sink = encodeFrame(encodeMessage(call))),
);
perMessage(
  "segments of Reply 1 MiB bytes",
  () => (sink = encodeMessageFull(big)),
  () => (sink = encodeMessageSegments(big)),
);
if (process.argv.includes("--micro")) {
  if (sink === undefined) throw new Error("unreachable");
  process.exit(0);
}

const callBytes = encodeMessage(call).length;
const bigBytes = encodeMessage(big).length;
const frames = new FrameDecoder();

measure("small call: encode + decode", callBytes, () => {
  decodeMessage(encodeMessage(call));
});
measure("small call: encode + frame + unframe + decode (one chunk)", callBytes + 4, () => {
  const [frame] = frames.push(encodeFrame(encodeMessage(call)));
  decodeMessage(frame as Uint8Array);
});
measure("small call: encode + frame + unframe + decode (header apart)", callBytes + 4, () => {
  const payload = encodeMessage(call);
  frames.push(frameHeader(payload.length));
  const [frame] = frames.push(payload);
  decodeMessage(frame as Uint8Array);
});
measure("1 MiB bytes: encode + decode", bigBytes, () => {
  decodeMessage(encodeMessage(big));
});
measure("1 MiB bytes: encode + frame + unframe + decode (header apart)", bigBytes + 4, () => {
  const payload = encodeMessage(big);
  frames.push(frameHeader(payload.length));
  const [frame] = frames.push(payload);
  decodeMessage(frame as Uint8Array);
});

// Yardstick: the same call hand-rolled ([u8 kind][u32 seq][u8 op][u32 target][u8 len][name][f64][f64]).
const encoder = new TextEncoder();
const decoder = new TextDecoder();
measure("yardstick: hand-rolled binary small call", 24, () => {
  const name = encoder.encode("add");
  const out = new Uint8Array(11 + name.length + 16);
  const view = new DataView(out.buffer);
  view.setUint8(0, 1);
  view.setUint32(1, 1);
  view.setUint8(5, Op.CallAttr);
  view.setUint32(6, 0);
  view.setUint8(10, name.length);
  out.set(name, 11);
  view.setFloat64(11 + name.length, 1);
  view.setFloat64(19 + name.length, 2);
  const back = new DataView(out.buffer);
  const length = back.getUint8(10);
  const message = {
    kind: back.getUint8(0),
    seq: back.getUint32(1),
    op: back.getUint8(5),
    target: new WireRef(RefKind.Yours, back.getUint32(6)),
    name: decoder.decode(out.subarray(11, 11 + length)),
    args: [back.getFloat64(11 + length), back.getFloat64(19 + length)],
  };
  if (message.args.length !== 2) throw new Error("unreachable");
});
