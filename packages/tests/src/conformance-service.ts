/**
 * The services every transport is checked with: one for the server side and one for the client
 * side (so the server can call back into its client). Shared by the in-process transports and
 * the stdio child (fixtures/stdio-server.ts).
 */
import { currentCall, release, Service, type Connection } from "@rpyc/core";

/** A class instance: crosses the wire by reference. */
export class Counter {
  count = 0;
  increment(): number {
    return ++this.count;
  }
}

export class ConformanceService extends Service {
  readonly #counter = new Counter();

  add(a: number, b: number): number {
    return a + b;
  }

  echo<T>(value: T): T {
    return value;
  }

  /** Calls the client's function (a netref), releases it, returns its result. */
  async callBack(fn: (x: number) => unknown, x: number): Promise<unknown> {
    try {
      return await fn(x);
    } finally {
      release(fn);
    }
  }

  /** Calls the client's own service root: a callback the other way. */
  async askClient(n: number): Promise<unknown> {
    return await this.connection.root.double(n);
  }

  fail(message: string): never {
    throw Object.assign(new RangeError(message), { code: "E_CONFORMANCE" });
  }

  /** The same object every time: the client must get the same proxy back. */
  counter(): Counter {
    return this.#counter;
  }

  /** A generator: iterated remotely with `for await`. */
  *range(n: number): Generator<number> {
    for (let i = 0; i < n; i++) yield i;
  }

  /** Resolves after `ms`, or stops at once (timer cleared) when the caller cancels. */
  sleep(ms: number): Promise<number> {
    const { signal } = currentCall();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve(ms), ms);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** This side's tables, for the leak check (read over the wire). */
  serverStats(): ReturnType<Connection["stats"]> {
    return this.connection.stats();
  }

  /** Closes this connection from the server side, soon after replying. */
  closeSoon(): void {
    const conn = this.connection;
    setTimeout(() => void conn.close(), 0);
  }
}

export class ClientService extends Service {
  double(n: number): number {
    return n * 2;
  }
}
