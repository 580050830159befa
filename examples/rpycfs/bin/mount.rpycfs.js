#!/usr/bin/env node
// The `mount.rpycfs` command (src/mount-rpycfs.ts); link it as /sbin/mount.rpycfs for mount(8).
import { loadEntry } from "./load-entry.js";

const entry = await loadEntry(new URL("../", import.meta.url), "mount-rpycfs");
await entry.run();
