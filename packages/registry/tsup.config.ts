import { defineConfig } from "tsup";

export default defineConfig({
  // cli.ts is the `rpyc-registry` bin (its hashbang is kept and the output made executable).
  entry: ["src/index.ts", "src/cli.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "es2022",
});
