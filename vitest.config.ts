import { defineConfig } from "vitest/config";

// One root run over every package (about half the CPU of per-package turbo runs).
// Each package has its own vitest.config.ts built with `rpycProject`.
export default defineConfig({
  test: {
    // Config files, not folders: a folder glob also matches files such as examples/README.md.
    projects: ["packages/*/vitest.config.ts", "examples/*/vitest.config.ts"],
    reporters: ["default", "./scripts/closing-line-reporter.ts"],
  },
});
