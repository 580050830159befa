import { defaultClientConditions, defaultServerConditions } from "vite";
import { defineProject, type TestProjectInlineConfiguration } from "vitest/config";

/** The export condition that points every workspace package at its `src/` (no build needed). */
export const SOURCE_CONDITION = "@rpyc/source";

type ProjectTestOptions = NonNullable<TestProjectInlineConfiguration["test"]>;

/**
 * Vitest project config shared by every package: tests run on source, files live in `test/`.
 *
 * @example
 * export default rpycProject("protocol");
 */
export function rpycProject(name: string, test: ProjectTestOptions = {}) {
  return defineProject({
    resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
    ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
    test: {
      name,
      include: ["test/**/*.test.ts"],
      ...test,
    },
  });
}
