import { rpycProject } from "../../vitest.shared.ts";

// --expose-gc: leak tests force a collection so that FinalizationRegistry releases run (the
// churn test and the shared baseline helper, test/harness.ts). Type tests: test/*.test-d.ts.
export default rpycProject("core", {
  execArgv: ["--expose-gc"],
  // The machine is shared: give event-driven waits room under load (they return as soon as
  // their condition holds).
  expect: { poll: { timeout: 5000 } },
  typecheck: {
    enabled: true,
    include: ["test/**/*.test-d.ts"],
    tsconfig: "./tsconfig.typecheck.json",
  },
});
