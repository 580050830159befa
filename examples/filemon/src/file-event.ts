/**
 * What a subscriber's callback receives: plain data, so it crosses the wire by value.
 */

/** The kinds of change, as the seed's monitor would describe them. */
export type FileEventKind = "create" | "change" | "rename" | "delete";

/**
 * One change under a watched path. Paths are relative to the server's root, with `/`
 * separators. `size` and `mtime` (ms since the epoch) describe the file after the change, and
 * are `null` for a delete.
 */
export interface FileEvent {
  kind: FileEventKind;
  path: string;
  /** For a rename: where the file was before. */
  oldPath?: string;
  size: number | null;
  mtime: number | null;
}

/**
 * One line of text for an event, as the demo client prints it.
 *
 * @example
 * formatFileEvent({ kind: "change", path: "notes.txt", size: 12, mtime: Date.now() });
 * // "change  notes.txt (12 bytes)"
 */
export function formatFileEvent(event: FileEvent): string {
  const what = event.kind === "rename" ? `${event.oldPath} -> ${event.path}` : event.path;
  const size = event.size === null ? "" : ` (${event.size} bytes)`;
  return `${event.kind.padEnd(7)} ${what}${size}`;
}
