import { defineConfig } from "vitest/config";

// One root run over every package (about half the CPU of per-package turbo runs).
// Each package has its own vitest.config.ts built with `rpycProject`.
export default defineConfig({
  test: {
    projects: ["packages/*", "examples/*"],
    reporters: ["default", "./scripts/closing-line-reporter.ts"],
  },
});
