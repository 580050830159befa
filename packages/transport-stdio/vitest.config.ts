import { rpycProject } from "../../vitest.shared.ts";

// Spawns Node subprocesses (tsx startup) on a shared 2-core machine: allow for load.
export default rpycProject("transport-stdio", { testTimeout: 20_000 });
