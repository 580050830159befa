import { defineConfig } from "tsup";

export default defineConfig({
  // cli.ts is the `rpyc-classic` command, forking-child.ts the child of its forking mode.
  entry: ["src/index.ts", "src/cli.ts", "src/forking-child.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "es2022",
});
