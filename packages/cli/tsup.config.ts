import { defineConfig } from "tsup";

export default defineConfig({
  // cli.ts is the `rpyc` command (bin/rpyc.js runs it).
  entry: ["src/index.ts", "src/cli.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "es2022",
});
