import { rpycProject } from "../../vitest.shared.ts";

// File-system events and 20 ms polls are slow to arrive when CI runs every project at once:
// each step waits on an event (never a sleep), and a test may take several such steps.
export default rpycProject("example-filemon", { testTimeout: 20_000 });
