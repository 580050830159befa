#!/usr/bin/env node
// One connection of `rpyc-classic -m forking`, in its own process (src/forking-child.ts).
import { loadEntry } from "./load-entry.js";

await loadEntry(new URL("../", import.meta.url), "forking-child");
