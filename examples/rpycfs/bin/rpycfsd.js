#!/usr/bin/env node
// The `rpycfsd` command (src/rpycfsd.ts); see load-entry.js for how it runs from source.
import { loadEntry } from "./load-entry.js";

const entry = await loadEntry(new URL("../", import.meta.url), "rpycfsd");
await entry.run();
