/**
 * The JS objects this side sent to a Python peer by reference (RPyC's `_local_objects`), with
 * the count of times each was sent. Python's DEL carries how many of those sends it is giving
 * back, so a DEL that crosses a new send of the same object leaves the entry alive (the same
 * no-race rule as rpyc-ts releases and RPyC 6.0.1's fix for #558).
 */
import { PythonRefusedError } from "./errors.ts";
import type { IdPack } from "./handlers.ts";

interface Entry {
  readonly obj: object;
  readonly idPack: IdPack;
  sent: number;
}

const classIds = new WeakMap<object, number>();
let nextClassId = 1;

/** A stable small id per JS class (constructor), for the id_pack's class slot. */
function classIdOf(obj: object): number {
  const proto = Object.getPrototypeOf(obj) as object | null;
  const key = proto ?? obj;
  let id = classIds.get(key);
  if (id === undefined) {
    id = nextClassId++;
    classIds.set(key, id);
  }
  return id;
}

/**
 * @example
 * const table = new ExportTable(32768);
 * const idPack = table.add(fn, "builtins.function");
 * table.get(idPack); // fn
 */
export class ExportTable {
  readonly #byId = new Map<number, Entry>();
  readonly #byObj = new Map<object, Entry>();
  #nextId = 1;

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.#byId.size;
  }

  /** Records one more send of `obj` and returns its id_pack (the same one while it lives). */
  add(obj: object, namePack: string): IdPack {
    const known = this.#byObj.get(obj);
    if (known !== undefined) {
      known.sent++;
      return known.idPack;
    }
    if (this.#byId.size >= this.maxEntries) {
      throw new PythonRefusedError(
        `this side already exports ${this.maxEntries} objects to the Python peer (maxExports); release some`,
      );
    }
    const id = this.#nextId++;
    const entry: Entry = { obj, idPack: Object.freeze([namePack, classIdOf(obj), id]), sent: 1 };
    this.#byId.set(id, entry);
    this.#byObj.set(obj, entry);
    return entry.idPack;
  }

  /** The object an id_pack names, or a refusal when this side never sent it (or it was freed). */
  get(idPack: IdPack): object {
    const entry = this.#byId.get(Number(idPack[2]));
    if (entry === undefined || entry.idPack[0] !== idPack[0]) {
      throw new PythonRefusedError(
        `unknown object id ${String(idPack[2])} (${idPack[0]}): this side never sent it, or it was released`,
      );
    }
    return entry.obj;
  }

  /** The id_pack of `obj` if it is exported. */
  idPackOf(obj: object): IdPack | undefined {
    return this.#byObj.get(obj)?.idPack;
  }

  /** Gives back `count` sends of the object; the entry goes when none are left. */
  release(idPack: IdPack, count: number): void {
    const id = Number(idPack[2]);
    const entry = this.#byId.get(id);
    if (entry === undefined) return; // a DEL for something already gone: nothing to free
    entry.sent -= count;
    if (entry.sent <= 0) {
      this.#byId.delete(id);
      this.#byObj.delete(entry.obj);
    }
  }

  clear(): void {
    this.#byId.clear();
    this.#byObj.clear();
  }
}
