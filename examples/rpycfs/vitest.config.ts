import { rpycProject } from "../../vitest.shared.ts";

// Real FUSE mounts: mounting, a 20 MiB copy and unmounting take seconds when CI runs every
// project at once; each step waits on a process or a promise, never a sleep.
export default rpycProject("example-rpycfs", { testTimeout: 60_000, hookTimeout: 30_000 });
