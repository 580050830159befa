/**
 * Loads the FUSE binding, `@cocalc/fuse-native` (an optional dependency compiled against
 * Debian's `libfuse-dev`), and says what to install when it is missing. Mount options the
 * binding does not spell out (`big_writes`, `max_write`, `ro`) are appended to the ones it does.
 */
import { createRequire } from "node:module";

/** What to run when the binding is missing (printed by `mount.rpycfs`, tests fail with it). */
export const FUSE_INSTALL_HINT =
  "the FUSE binding @cocalc/fuse-native is not built: install the system packages " +
  "(as root: apt-get install libfuse-dev fuse3, or scripts/install-system-deps.sh), " +
  "then run `pnpm rebuild @cocalc/fuse-native` (with npm_config_nodedir=/usr) in the repository";

/** Callback style the binding uses: `cb(0, result)` on success, `cb(-errno)` on failure. */
export type FuseCallback = (code: number, ...results: unknown[]) => void;

/** The binding's handler table: each handler ends by calling its last argument. */
export type FuseOps = Record<string, (...args: never[]) => void>;

/** The part of a mounted binding instance rpycfs uses. */
export interface FuseMount {
  mount(cb: (error: Error | null) => void): void;
  unmount(cb: (error: Error | null) => void): void;
}

/** Options of the binding we pass (see its README) plus the raw extra `-o` options. */
export interface FuseMountOptions {
  readonly allowOther?: boolean;
  readonly defaultPermissions?: boolean;
  readonly fsname?: string;
  readonly subtype?: string;
  readonly attrTimeout?: number;
  readonly entryTimeout?: number;
  readonly timeout?: number | false;
  readonly debug?: boolean;
  /** Raw libfuse options appended to the binding's `-o` list, e.g. `["big_writes"]`. */
  readonly extra?: readonly string[];
}

interface FuseClass {
  new (mnt: string, ops: FuseOps, opts: object): FuseMount & { _fuseOptions(): string };
}

let cached: FuseClass | undefined;

/** The binding's class, or throws an Error whose message is `FUSE_INSTALL_HINT`. */
export function loadFuse(): FuseClass {
  if (cached) return cached;
  try {
    const require = createRequire(import.meta.url);
    cached = require("@cocalc/fuse-native") as FuseClass;
  } catch (error) {
    throw new Error(`${FUSE_INSTALL_HINT} (${(error as Error).message.split("\n")[0]})`, {
      cause: error,
    });
  }
  return cached;
}

/**
 * A binding instance for `mountpoint` with `ops`, not mounted yet.
 *
 * @example
 * const fuse = createFuse("/mnt/x", ops, { extra: ["big_writes", "max_write=131072"] });
 * fuse.mount((err) => { ... });
 */
export function createFuse(mountpoint: string, ops: FuseOps, options: FuseMountOptions): FuseMount {
  const Fuse = loadFuse();
  const extra = options.extra ?? [];
  class ExtendedFuse extends Fuse {
    override _fuseOptions(): string {
      const base = super._fuseOptions();
      if (extra.length === 0) return base;
      return base === "" ? `-o${extra.join(",")}` : `${base},${extra.join(",")}`;
    }
  }
  return new ExtendedFuse(mountpoint, ops, options);
}
