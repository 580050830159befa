import { rpycProject } from "../../vitest.shared.ts";

// Real Python peers (subprocesses) on a shared 2-core machine: allow for load, never for sleeps.
export default rpycProject("python", { testTimeout: 20_000 });
