#!/usr/bin/env node
// The `rpyc` command (src/cli.ts); see load-entry.js for how it runs from source.
import { loadEntry } from "./load-entry.js";

await loadEntry(new URL("../", import.meta.url), "cli");
