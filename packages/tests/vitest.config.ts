import { rpycProject } from "../../vitest.shared.ts";

// Subprocesses, a real browser and real sockets on a shared 2-core machine: allow for load.
export default rpycProject("tests", { testTimeout: 20_000, hookTimeout: 30_000 });
