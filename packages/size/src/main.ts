/**
 * `pnpm size`: the browser bundle of a page using rpyc-ts, beside capnweb, Comlink and birpc
 * measured the same way (measure.ts). Exits 1 when the rpyc-ts page is over BUDGET_GZIP_BYTES.
 * `--verbose` also lists what each rpyc-ts package contributes.
 */
import { fileURLToPath } from "node:url";
import { BUDGET_GZIP_BYTES } from "./budget.ts";
import { bytesByPackage, measureBundle } from "./measure.ts";

const ROWS = [
  {
    name: "rpyc-ts page: connect (ws) + Service, release, byRef…",
    entry: "rpyc-page",
    budget: true,
  },
  { name: "rpyc-ts, every export of core + transport-ws", entry: "rpyc-all", budget: false },
  { name: "capnweb: newWebSocketRpcSession + RpcTarget", entry: "capnweb-page", budget: false },
  { name: "capnweb, every export", entry: "capnweb-all", budget: false },
  { name: "Comlink, every export (no WebSocket)", entry: "comlink-all", budget: false },
  { name: "birpc, every export (no transport)", entry: "birpc-all", budget: false },
];

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

async function main(): Promise<void> {
  const verbose = process.argv.includes("--verbose");
  let page = 0;
  console.log("| bundle (esbuild --minify, browser) | minified | gzip -9 |");
  console.log("| --- | ---: | ---: |");
  for (const row of ROWS) {
    const entry = fileURLToPath(new URL(`./entries/${row.entry}.ts`, import.meta.url));
    const size = await measureBundle(entry);
    console.log(`| ${row.name} | ${kb(size.minified)} | ${kb(size.gzipped)} |`);
    if (row.budget) page = size.gzipped;
    if (verbose && row.entry.startsWith("rpyc")) {
      for (const [name, bytes] of Object.entries(bytesByPackage(size.inputs))) {
        console.log(`|   ${name} | ${kb(bytes)} | |`);
      }
    }
  }
  const verdict = `rpyc-ts page: ${page} bytes gzipped, budget ${BUDGET_GZIP_BYTES}`;
  if (page > BUDGET_GZIP_BYTES) {
    console.error(`size: OVER BUDGET. ${verdict}. See packages/size/README.md.`);
    process.exitCode = 1;
  } else {
    console.log(`size: ok. ${verdict}.`);
  }
}

await main();
