/**
 * The browser bundle of a page using rpyc-ts (src/entries/rpyc-page.ts), measured as `pnpm size`
 * measures it: within the budget, and resolved by the `browser` export conditions to the
 * browser codec and WebSocket client (no cbor-x, no ws, no Node built-ins, no Node codec paths).
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BUDGET_GZIP_BYTES } from "../src/budget.ts";
import { bytesByPackage, measureBundle } from "../src/measure.ts";

const PAGE = fileURLToPath(new URL("../src/entries/rpyc-page.ts", import.meta.url));

describe("browser bundle of an rpyc-ts page", () => {
  it("stays within the gzip budget and ships no Node-only code", async () => {
    const size = await measureBundle(PAGE);
    const inputs = Object.keys(size.inputs);
    expect(
      inputs.filter((path) =>
        /node:|cbor-x|\/ws\/|bufferutil|scan-cbor|fast-(en|de)code|inspect-wire-value|rewrite-rare-values|codec\.ts|transport-ws\/src\/(serve|connect-node|load-ws)/.test(
          path,
        ),
      ),
    ).toEqual([]);
    expect(Object.keys(bytesByPackage(size.inputs)).sort()).toEqual([
      "core",
      "netref",
      "protocol",
      "transport-ws",
    ]);
    expect(size.gzipped, `over budget: see packages/size/README.md`).toBeLessThanOrEqual(
      BUDGET_GZIP_BYTES,
    );
  });
});
