import { rpycProject } from "../../vitest.shared.ts";

export default rpycProject("cli");
