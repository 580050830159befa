import { rpycProject } from "../../vitest.shared.ts";

// Every test drives Chromium; launching a second browser alone can take several seconds on a
// loaded 2-core machine, so the per-test budget is wider than vitest's 5 s default.
export default rpycProject("example-web8", { testTimeout: 30_000 });
