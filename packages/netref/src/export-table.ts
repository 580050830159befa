/**
 * The export table: my objects the peer may use, by id, with how many times each was sent.
 *
 * Contract (RPyC #558 race fix, with counts on the wire): every time an object is boxed into an
 * outgoing message its count grows by one; the peer's `Release(ids, counts)` subtracts what it
 * dropped; the entry goes when the count reaches zero. A reply that re-sends an object while a
 * release of it is in flight therefore keeps the object alive. The root (id `ROOT_ID`) is never
 * counted and never released.
 */
import { ROOT_ID } from "@rpyc/protocol";
import { OverReleaseError, UnknownRefError } from "./errors.ts";

interface ExportEntry {
  readonly value: object;
  count: number;
}

/**
 * My exports by id, with counts (see the file header).
 *
 * @example
 * const table = new ExportTable(service);
 * const id = table.export(obj); // counts one send
 * table.release(id, 1);
 */
export class ExportTable {
  readonly #byId = new Map<number, ExportEntry>();
  readonly #byValue = new Map<object, number>();
  #nextId = ROOT_ID + 1;

  constructor(readonly root: object) {
    this.#byValue.set(root, ROOT_ID);
  }

  /** Exports `value` once more and returns its id (the same id while the entry lives). */
  export(value: object): number {
    const id = this.#byValue.get(value);
    if (id !== undefined) {
      if (id !== ROOT_ID) this.#byId.get(id)!.count++;
      return id;
    }
    const newId = this.#nextId++;
    this.#byId.set(newId, { value, count: 1 });
    this.#byValue.set(value, newId);
    return newId;
  }

  /** The exported object `id`; throws `UnknownRefError` when the peer holds no such export. */
  get(id: number): object {
    if (id === ROOT_ID) return this.root;
    const entry = this.#byId.get(id);
    if (entry === undefined) {
      throw new UnknownRefError(
        `no exported object has id ${id} (it was never sent, or was released)`,
      );
    }
    return entry.value;
  }

  /**
   * The peer dropped `count` references to `id`. Throws (leaving the entry untouched) when the
   * id is unknown, is the root, or `count` exceeds what the peer holds.
   */
  release(id: number, count: number): void {
    if (!Number.isSafeInteger(count) || count <= 0) {
      throw new OverReleaseError(`release of export ${id} with invalid count ${String(count)}`);
    }
    if (id === ROOT_ID) throw new OverReleaseError("the service root (id 0) is never released");
    const entry = this.#byId.get(id);
    if (entry === undefined) {
      throw new UnknownRefError(
        `release of unknown export ${id} (never sent, or already released)`,
      );
    }
    if (count > entry.count) {
      throw new OverReleaseError(
        `release of export ${id} with count ${count}, but only ${entry.count} were sent`,
      );
    }
    entry.count -= count;
    if (entry.count === 0) {
      this.#byId.delete(id);
      this.#byValue.delete(entry.value);
    }
  }

  /**
   * A whole Release message: applies every valid pair and returns ONE error for the bad ones
   * (the first one's, its message saying how many failed), or undefined. Linear in the message:
   * after the first bad pair, the others are counted without building an error, so a Release
   * naming 100,000 unknown ids costs one error, not 100,000 (docs/security.md).
   */
  releaseAll(ids: readonly number[], counts: readonly number[]): Error | undefined {
    let bad = 0;
    let first: Error | undefined;
    for (let i = 0; i < ids.length; i++) {
      const entry = this.#byId.get(ids[i]!);
      if (first !== undefined && !(counts[i]! > 0 && counts[i]! <= (entry?.count ?? 0))) {
        bad++;
        continue;
      }
      try {
        this.release(ids[i]!, counts[i]!);
      } catch (err) {
        bad++;
        first = err as Error;
      }
    }
    if (first !== undefined && bad > 1)
      first.message = `${bad} of the ${ids.length} releases failed; the first: ${first.message}`;
    return first;
  }

  /** How many times `id` is currently held by the peer (0 when not exported). For tests. */
  countOf(id: number): number {
    return this.#byId.get(id)?.count ?? 0;
  }

  /** Number of exports, the root excluded. */
  get size(): number {
    return this.#byId.size;
  }

  /** Forgets every export (connection closed). The root stays. */
  clear(): void {
    this.#byId.clear();
    this.#byValue.clear();
    this.#byValue.set(this.root, ROOT_ID);
  }
}
