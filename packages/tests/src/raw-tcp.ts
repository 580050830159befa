/**
 * Tools for hostile-input tests on a real TCP server: a raw client that speaks hand-made
 * frames and records every message the server sends back, and a control loop (a healthy
 * client calling `echo` every 20 ms) that measures how long the server kept it waiting.
 */
import { once } from "node:events";
import { connect as netConnect, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { expect, vi } from "vitest";
import type { Connection } from "@rpyc/core";
import {
  FrameDecoder,
  type Limits,
  type Message,
  createHello,
  decodeMessage,
  encodeFrame,
  encodeMessage,
} from "@rpyc/protocol";

export interface RawTcpClient {
  readonly socket: Socket;
  /** Every message the server sent so far, in order. */
  readonly messages: Message[];
  /** Resolves with `messages` once the server closed the socket. */
  readonly closed: Promise<Message[]>;
  /** Encodes and writes one message. */
  send(message: Message): void;
  /** Waits until a message matching `match` arrived; returns it. */
  next(match: (message: Message) => boolean): Promise<Message>;
}

/**
 * Connects to `port` on loopback and says Hello (announcing `limits`, 1 MiB frames unless
 * given); everything the server sends is decoded into `messages`.
 */
export async function rawTcpClient(
  port: number,
  limits: Partial<Limits> = { maxFrameBytes: 1024 * 1024 },
): Promise<RawTcpClient> {
  const socket = netConnect({ host: "127.0.0.1", port });
  socket.on("error", () => {}); // a reset after the Close is fine
  const frames = new FrameDecoder();
  const messages: Message[] = [];
  socket.on("data", (chunk: Uint8Array) => {
    for (const frame of frames.push(chunk)) messages.push(decodeMessage(frame));
  });
  const closed = once(socket, "close").then(() => messages);
  await once(socket, "connect");
  const send = (message: Message) => socket.write(encodeFrame(encodeMessage(message)));
  send(
    createHello({
      version: "0.0.0-raw",
      service: "RAW",
      limits: { maxFrameBytes: 1024 * 1024, ...limits },
    }),
  );
  return {
    socket,
    messages,
    closed,
    send,
    async next(match) {
      let found: Message | undefined;
      await vi.waitFor(() => {
        found = messages.find(match);
        expect(found).toBeDefined();
      });
      return found!;
    },
  };
}

/**
 * Calls `control.root.echo` every 20 ms until stopped; records the longest wait for an answer
 * and the highest RSS seen (the server runs in this process).
 */
export function startControl(control: Connection) {
  let running = true;
  let longestMs = 0;
  let peakRss = process.memoryUsage().rss;
  let answers = 0;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const started = performance.now();
      expect(await control.root.echo(i)).toBe(i);
      answers++;
      longestMs = Math.max(longestMs, performance.now() - started);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      await delay(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { longestMs, peakRss, answers };
    },
  };
}
