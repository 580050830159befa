import { rpycProject } from "../../vitest.shared.ts";

// Real sockets on a shared 2-core machine: allow for load, never for sleeps.
export default rpycProject("transport-tcp", { testTimeout: 15_000 });
