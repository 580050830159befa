/**
 * The netref proxy: a local stand-in for one remote object.
 *
 * - `ref.x` → a lazy remote promise (Get when awaited); `ref.m(a)` → one CallAttr;
 *   `ref(a)` → Call; `new ref.Thing(a)` → Construct; `for await (… of ref)` → batched iteration.
 * - A netref is NOT thenable (`then` is undefined), so `await ref` returns the netref itself.
 * - Answered locally, with no I/O: `then`, `Symbol.asyncIterator`, `Symbol.dispose`,
 *   `Symbol.asyncDispose`, `Symbol.toPrimitive`, `toString`, Node's inspect symbol, and
 *   `toJSON` (which throws: a netref has no JSON form, copy it with `obtain`).
 * - Assignment, `delete` and `in` cannot be awaited: use `setAttr`, `delAttr`, `has`.
 */
import { Op } from "@rpyc/protocol";
import {
  type CallOptions,
  INSPECT,
  type NetrefCore,
  NETREF_VIEW,
  type NetrefView,
  netrefViews,
  remotePromises,
} from "./netref-state.ts";
import { createRemoteIterator } from "./remote-iterator.ts";
import { createRemotePromise, issue } from "./remote-promise.ts";

type Target = (() => void) & { [NETREF_VIEW]: NetrefView; [INSPECT]: typeof inspectNetref };

/**
 * Node's `util.inspect` (and so `console.log`) formats a proxy's *target*, not the proxy, and
 * looks its custom inspect function up there: each target carries this one shared function,
 * so a netref prints as `<netref #3 of BANK>` anywhere. (Node's REPL inspects with
 * `showProxy: true`, which shows the proxy's internals instead; @rpyc/cli has its own writer.)
 * `this` is the proxy or its target; both answer the view.
 */
function inspectNetref(this: unknown): string {
  const view = netrefViews.get(this);
  return view === undefined ? "<netref>" : view.core.session.describe(view.core);
}

// One handler for every netref (no per-proxy closures); the view rides on the target function.
const handler: ProxyHandler<Target> = {
  get(target, key) {
    const view = target[NETREF_VIEW];
    const core = view.core;
    if (typeof key === "symbol") {
      switch (key) {
        case NETREF_VIEW:
          return view;
        case Symbol.asyncIterator:
          return () => createRemoteIterator(view.parent!, issue, releaseView);
        case Symbol.dispose:
          return () => core.session.releaseNetref(core);
        case Symbol.asyncDispose:
          return () => Promise.resolve(core.session.releaseNetref(core));
        case Symbol.toPrimitive:
          return () => core.session.describe(core);
        case Symbol.toStringTag:
          return "Netref";
        case INSPECT:
          return () => core.session.describe(core);
        default:
          return undefined;
      }
    }
    switch (key) {
      case "then":
        return undefined;
      case "toString":
        return () => core.session.describe(core);
      case "toJSON":
        return () => {
          throw new TypeError(
            `${core.session.describe(core)} has no JSON form; copy it by value first with await obtain(ref)`,
          );
        };
      default:
        return member(view, key);
    }
  },
  apply(target, _this, args: unknown[]) {
    return issue(target[NETREF_VIEW].parent!, Op.Call, undefined, args);
  },
  construct(target, args: unknown[]) {
    return issue(target[NETREF_VIEW].parent!, Op.Construct, undefined, args);
  },
  set(_target, key) {
    throw new TypeError(
      `cannot assign ${String(key)} on a netref; use await setAttr(ref, name, value)`,
    );
  },
  deleteProperty(_target, key) {
    throw new TypeError(`cannot delete ${String(key)} on a netref; use await delAttr(ref, name)`);
  },
  defineProperty(_target, key) {
    throw new TypeError(
      `cannot define ${String(key)} on a netref; use await setAttr(ref, name, value)`,
    );
  },
  has() {
    return false;
  },
};

/**
 * The lazy remote promise of `ref.name`. While it has not been sent it is reused, so a loop of
 * `ref.m(...)` calls allocates no intermediate promise per call.
 */
function member(view: NetrefView, name: string): object {
  const cached = view.members?.get(name);
  if (cached !== undefined && remotePromises.get(cached)?.source.kind === "get") return cached;
  const parent = view.parent!;
  const created = createRemotePromise(
    view.core.session,
    view.options,
    { kind: "get", parent, name },
    { parent, name },
  );
  if ((view.members ??= new Map()).size < 256 || cached !== undefined)
    view.members.set(name, created);
  return created;
}

/**
 * A view's state. A class so that Node's `util.inspect` — which shows a proxy's target, not
 * the proxy — prints the netref's description instead of the whole session.
 */
class View implements NetrefView {
  parent: NetrefView["parent"] = undefined;
  members: Map<string, object> | undefined = undefined;
  constructor(
    readonly core: NetrefCore,
    readonly options: CallOptions | undefined,
  ) {}
  [INSPECT](): string {
    return this.core.session.describe(this.core);
  }
}

/** Creates a proxy (a view with `options`) for `core`. */
export function createNetrefProxy(core: NetrefCore, options: CallOptions | undefined): object {
  const view = new View(core, options);
  const target = function netref() {} as Target;
  target[NETREF_VIEW] = view;
  target[INSPECT] = inspectNetref;
  const proxy = new Proxy(target, handler);
  view.parent = { kind: "netref", view, proxy };
  return proxy;
}

function releaseView(value: unknown): void {
  if (typeof value !== "function") return;
  const view = netrefViews.get(value);
  if (view !== undefined) view.core.session.releaseNetref(view.core);
}
