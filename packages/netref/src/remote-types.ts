/**
 * `Remote<T>`: the type of a netref to a `T` (ARCHITECTURE §5). Methods become
 * Promise-returning (their results received the way boxing delivers them), properties become
 * remote promises, and every result is itself usable for pipelining.
 *
 * Typing limits, by design: TypeScript cannot tell a class instance (sent by reference) from a
 * plain object (sent by value). An object type with at least one method is typed as a netref
 * (`Remote<…>`); an object type with only data is typed as a copy. Both read the same with one
 * `await` (`await token.name` works on either).
 */

type Primitive = string | number | boolean | bigint | symbol | null | undefined | void;
type Leaf = Primitive | Date | RegExp | ArrayBuffer | ArrayBufferView | Error;

/** Members a peer can never reach: lifecycle hooks and "_"-prefixed names. */
type HiddenKey = `_${string}` | "onConnect" | "onDisconnect" | "connection";

declare const remoteBrand: unique symbol;

/** Marks a type as a netref's shape (type-level only; no such property exists at run time). */
interface RemoteBrand<T> {
  readonly [remoteBrand]: T;
}

type IsAny<T> = 0 extends 1 & T ? true : false;

type HasMethod<T> = {
  [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? true : never;
}[keyof T] extends never
  ? false
  : true;

/**
 * How a value of type `T` arrives on the other side.
 *
 * @example
 * type R = Received<{ at: Date; cb: () => void }>; // { at: Date; cb: Remote<() => void> }
 */
export type Received<T> =
  IsAny<T> extends true
    ? any
    : T extends Leaf
      ? T
      : T extends RemoteBrand<unknown>
        ? T
        : T extends (...args: never[]) => unknown
          ? Remote<T>
          : T extends abstract new (...args: never[]) => unknown
            ? Remote<T>
            : T extends ReadonlyArray<infer E>
              ? Received<E>[]
              : T extends ReadonlyMap<infer K, infer V>
                ? Map<Received<K>, Received<V>>
                : T extends ReadonlySet<infer E>
                  ? Set<Received<E>>
                  : T extends object
                    ? HasMethod<T> extends true
                      ? Remote<T>
                      : { [K in keyof T]: Received<T[K]> }
                    : T;

/** What operations on a not-yet-settled result of type `T` (already `Received`) look like. */
type Pipelined<T> =
  IsAny<T> extends true
    ? any
    : [T] extends [never]
      ? unknown
      : T extends RemoteBrand<unknown>
        ? T
        : T extends Leaf
          ? unknown
          : T extends Iterable<infer E>
            ? AsyncIterable<E>
            : T extends object
              ? { readonly [K in keyof T]: RemotePromise<T[K]> }
              : unknown;

/**
 * A remote promise of `T` (a received value): await it for the value, or keep operating on it
 * (pipelining) as if it were already there.
 *
 * @example
 * const p: RemotePromise<number> = root.add(1, 2);
 * await p; // 3
 */
export type RemotePromise<T> = Promise<T> & Pipelined<T>;

/**
 * What a caller may pass for a parameter of type `T`: a callback parameter accepts a function
 * returning the value or a promise of it (the callee always receives it as a netref whose calls
 * return promises).
 *
 * @example
 * type S = Sendable<(x: number) => Promise<void>>; // (x: number) => void | PromiseLike<void>
 */
export type Sendable<T> = T extends (...args: infer A) => infer R
  ? (...args: A) => Awaited<R> | PromiseLike<Awaited<R>>
  : T;

type SendableArgs<A extends unknown[]> = { [I in keyof A]: Sendable<A[I]> };

type RemoteMethod<A extends unknown[], R> = (
  ...args: SendableArgs<A>
) => RemotePromise<Received<Awaited<R>>>;

type RemoteMembers<T> = {
  readonly [
    K in keyof T as K extends string ? (K extends HiddenKey ? never : K) : never
  ]: T[K] extends (...args: infer A) => infer R
    ? RemoteMethod<A, R>
    : RemotePromise<Received<T[K]>>;
};

type RemoteCallable<T> = (T extends (...args: infer A) => infer R ? RemoteMethod<A, R> : unknown) &
  (T extends abstract new (...args: infer A) => infer R
    ? new (...args: SendableArgs<A>) => RemotePromise<Received<R>>
    : unknown);

type RemoteIteration<T> =
  T extends Iterable<infer E>
    ? AsyncIterable<Received<E>>
    : T extends AsyncIterable<infer E>
      ? AsyncIterable<Received<E>>
      : unknown;

declare global {
  // Empty on purpose: they merge with the real `Disposable` / `AsyncDisposable` (lib
  // esnext.disposable, or @types/node) when the consumer has them, so a netref types as usable
  // with `using`; without them `Remote<T>` still compiles (no skipLibCheck needed).
  interface Disposable {}
  interface AsyncDisposable {}
}

/**
 * The remote shape of `T`: `conn.root` typed as `Remote<EchoService>`.
 *
 * @example
 * const root = conn.root as Remote<EchoService>;
 * const n: number = await root.add(2, 3);
 */
export type Remote<T> =
  IsAny<T> extends true
    ? any
    : RemoteMembers<T> &
        RemoteCallable<T> &
        RemoteIteration<T> &
        RemoteBrand<T> &
        Disposable &
        AsyncDisposable;
