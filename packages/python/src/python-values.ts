/**
 * JS stand-ins for the Python values brine carries that have no JS twin.
 *
 * How brine values map (both directions):
 * - None ↔ `null` (`undefined` is sent as None); True/False ↔ booleans;
 * - int ↔ `number` when it is a safe integer, `bigint` otherwise (any size; a `bigint` is sent
 *   as an int whatever its size);
 * - float ↔ a non-integer `number` (NaN and ±Infinity included); an integral float such as 2.0
 *   arrives as the number 2 and goes back as the int 2 unless wrapped in `PyFloat`;
 * - str ↔ string; bytes ↔ `Uint8Array` (a `Buffer` when decoded);
 * - tuple ↔ frozen array (any JS array is sent as a tuple);
 * - slice, frozenset, complex, NotImplemented, Ellipsis ↔ the classes and constants below.
 */

/**
 * A Python float whose value is integral (2.0), so it is sent as a float, not an int.
 *
 * @example
 * await conn.root.echo(new PyFloat(2)); // Python receives 2.0
 */
export class PyFloat {
  constructor(readonly value: number) {}
}

/**
 * Python's `slice(start, stop, step)`.
 *
 * @example
 * await item(lst, new PySlice(0, 2, null)); // lst[0:2]
 */
export class PySlice {
  constructor(
    readonly start: unknown,
    readonly stop: unknown,
    readonly step: unknown,
  ) {}
}

/**
 * Python's `frozenset`, as the list of its items (order as received).
 *
 * @example
 * new PyFrozenSet([1, 2, 3]);
 */
export class PyFrozenSet {
  constructor(readonly items: readonly unknown[]) {}
}

/**
 * Python's `complex(real, imag)`.
 *
 * @example
 * new PyComplex(1, -1); // (1-1j)
 */
export class PyComplex {
  constructor(
    readonly real: number,
    readonly imag: number,
  ) {}
}

/**
 * Python's `NotImplemented` singleton.
 *
 * @example
 * (await conn.root.compare()) === PY_NOT_IMPLEMENTED;
 */
export const PY_NOT_IMPLEMENTED: unique symbol = Symbol.for("rpyc.python.NotImplemented");

/**
 * Python's `Ellipsis` (`...`) singleton.
 *
 * @example
 * await item(array, [PY_ELLIPSIS, 0]); // a[..., 0]
 */
export const PY_ELLIPSIS: unique symbol = Symbol.for("rpyc.python.Ellipsis");

/** A Python int from the wire: a number when safe, a bigint otherwise. */
export function pyInt(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}
