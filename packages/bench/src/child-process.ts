/**
 * The orchestrator's handle on one server or client process speaking the line protocol of
 * `child-protocol.ts`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { LINE_PREFIX } from "./child-protocol.ts";

/** How long a child may take to answer one command before the run fails (generous: 2 cores). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;

interface Waiter {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class BenchChild {
  readonly #child: ChildProcess;
  readonly #label: string;
  readonly #waiters = new Map<number, Waiter>();
  #readyWaiter: Waiter | undefined;
  readonly #ready: Promise<Record<string, unknown>>;
  #nextId = 1;
  #stderrTail: string[] = [];
  #exited = false;

  constructor(label: string, command: string, args: readonly string[], cwd: string) {
    this.#label = label;
    this.#ready = new Promise((resolve, reject) => {
      this.#readyWaiter = { resolve: resolve as (v: unknown) => void, reject };
    });
    this.#ready.catch(() => undefined); // reported through whoever awaits it
    this.#child = spawn(command, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
    createInterface({ input: this.#child.stdout! }).on("line", (line) => this.#onLine(line));
    createInterface({ input: this.#child.stderr! }).on("line", (line) => {
      this.#stderrTail.push(line);
      if (this.#stderrTail.length > 30) this.#stderrTail.shift();
    });
    this.#child.on("error", (error) => this.#failAll(error));
    this.#child.on("exit", (code, signal) => {
      this.#exited = true;
      this.#failAll(new Error(`${this.#label} exited (code ${code}, signal ${signal})`));
    });
  }

  /** The child's `ready` event (e.g. `{ port }`). */
  ready(): Promise<Record<string, unknown>> {
    return this.#ready;
  }

  /** Sends one command and resolves with the child's answer. */
  call<T = unknown>(
    cmd: string,
    params: Record<string, unknown> = {},
    timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
  ): Promise<T> {
    if (this.#exited) return Promise.reject(new Error(`${this.#label} is not running`));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(id);
        reject(new Error(`${this.#label}: '${cmd}' got no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#child.stdin!.write(JSON.stringify({ id, cmd, ...params }) + "\n");
    });
  }

  /** Asks the child to exit, and kills it if it has not within `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once("exit", () => resolve()));
    this.call("exit", {}, graceMs).catch(() => undefined);
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }

  #onLine(line: string): void {
    if (!line.startsWith(LINE_PREFIX)) return;
    const message = JSON.parse(line.slice(LINE_PREFIX.length)) as Record<string, unknown>;
    if (message.event === "ready") {
      this.#readyWaiter?.resolve(message);
      this.#readyWaiter = undefined;
      return;
    }
    const waiter = this.#waiters.get(message.id as number);
    if (waiter === undefined) return;
    this.#waiters.delete(message.id as number);
    if (message.ok === true) waiter.resolve(message.value);
    else waiter.reject(new Error(`${this.#label}: ${String(message.error)}`));
  }

  #failAll(cause: Error): void {
    const tail = this.#stderrTail.join("\n");
    const error = new Error(tail === "" ? cause.message : `${cause.message}\n${tail}`);
    this.#readyWaiter?.reject(error);
    this.#readyWaiter = undefined;
    for (const waiter of this.#waiters.values()) waiter.reject(error);
    this.#waiters.clear();
  }
}
