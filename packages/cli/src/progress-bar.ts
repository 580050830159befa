/**
 * The progress bar of the REPL's `upload`/`download`: one line redrawn in place on a terminal
 * (`\r`, at most every 100 ms, and once at the end), nothing at all on a pipe or a file — so a
 * script's output stays clean.
 */

/** A writable that may be a terminal (process.stderr, a pty). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/** The `onProgress` of a transfer plus `finish()`, which ends the line. */
export interface ProgressBar {
  readonly onProgress: (done: number, total: number) => void;
  finish(): void;
}

const REDRAW_MS = 100;

/**
 * Bytes as a short human string: "512 B", "1.5 KiB", "100.0 MiB".
 *
 * @example
 * formatBytes(1536); // "1.5 KiB"
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A progress bar for `label` on `stream`; a no-op when `stream` is not a terminal.
 *
 * @example
 * const bar = createProgressBar(process.stderr, "upload ./site");
 * await classic.upload("./site", "/srv/site", { onProgress: bar.onProgress });
 * bar.finish();
 */
export function createProgressBar(
  stream: ProgressStream,
  label: string,
  now: () => number = Date.now,
): ProgressBar {
  if (stream.isTTY !== true) return { onProgress: () => {}, finish: () => {} };
  let lastDraw = -Infinity;
  let last: [number, number] | undefined;
  let drawn = false;
  const draw = (done: number, total: number): void => {
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 40));
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(ratio * width);
    const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
    const percent = `${Math.floor(ratio * 100)}`.padStart(3);
    stream.write(
      `\r${label} [${bar}] ${percent}% ${formatBytes(done)} / ${formatBytes(total)}\x1b[K`,
    );
    drawn = true;
  };
  return {
    onProgress(done, total) {
      last = [done, total];
      const t = now();
      if (t - lastDraw < REDRAW_MS && done < total) return;
      lastDraw = t;
      draw(done, total);
    },
    finish() {
      if (last !== undefined) draw(...last);
      if (drawn) stream.write("\n");
    },
  };
}
