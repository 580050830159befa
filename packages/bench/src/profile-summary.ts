/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function and per file,
 * and inclusive (total) time per function, so the hot paths of a workload can be named.
 *
 * Run on its own: `node --import tsx src/profile-summary.ts FILE.cpuprofile [--top N]`.
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Entry {
  readonly name: string;
  readonly us: number;
  readonly percent: number;
}

export interface ProfileSummary {
  /** Sampled time when the process was busy; every percentage is of this. */
  readonly totalUs: number;
  /** Sampled time waiting for I/O (V8's "(idle)"), left out of the tables. */
  readonly idleUs: number;
  /** Sampled time before `sinceUs` (start-up, module loading), left out of the tables. */
  readonly startupUs: number;
  /** Self time by function (`name file:line`). */
  readonly selfByFunction: Entry[];
  /** Total time (self + callees) by function, each counted once per stack. */
  readonly totalByFunction: Entry[];
  /** Self time by source file (package-relative when inside the workspace). */
  readonly selfByFile: Entry[];
}

/** `…/packages/core/src/connection.ts` → `core/src/connection.ts`; node internals kept short. */
export function shortUrl(url: string): string {
  if (url === "") return "(native)";
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const pnpm = path.lastIndexOf("/node_modules/");
  if (pnpm >= 0) return path.slice(pnpm + "/node_modules/".length);
  const packages = path.lastIndexOf("/packages/");
  if (packages >= 0) return path.slice(packages + "/packages/".length);
  return path;
}

const sourceMaps = new Map<string, SourceMap | undefined>();

/** The linked source map of a bundled file (build-children.ts writes `<file>.map`), if any. */
function sourceMapOf(url: string): SourceMap | undefined {
  if (!sourceMaps.has(url)) {
    let map: SourceMap | undefined;
    if (url.startsWith("file://")) {
      const mapPath = fileURLToPath(url) + ".map";
      if (existsSync(mapPath)) map = new SourceMap(JSON.parse(readFileSync(mapPath, "utf8")));
    }
    sourceMaps.set(url, map);
  }
  return sourceMaps.get(url);
}

/** Where a frame's function was written: through the bundle's source map when there is one. */
function origin(node: ProfileNode): { file: string; line: number } {
  const { url, lineNumber, columnNumber } = node.callFrame;
  const entry = sourceMapOf(url)?.findEntry(lineNumber, columnNumber) as
    { originalSource?: string; originalLine?: number } | undefined;
  if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
    const source = entry.originalSource.startsWith("file://")
      ? fileURLToPath(entry.originalSource)
      : resolve(dirname(fileURLToPath(url)), entry.originalSource);
    return { file: shortUrl(source), line: entry.originalLine + 1 };
  }
  return { file: shortUrl(url), line: lineNumber + 1 };
}

function frameName(node: ProfileNode): string {
  return describeCallFrame(node.callFrame);
}

/** `name file:line` of a V8 call frame, source-mapped through the bundle's map when there is one. */
export function describeCallFrame(callFrame: ProfileNode["callFrame"]): string {
  const name = callFrame.functionName === "" ? "(anonymous)" : callFrame.functionName;
  if (callFrame.url === "") return name;
  const { file, line } = origin({ id: 0, callFrame });
  return `${name} ${file}:${line}`;
}

function toEntries(map: Map<string, number>, totalUs: number): Entry[] {
  return [...map.entries()]
    .map(([name, us]) => ({ name, us, percent: (100 * us) / totalUs }))
    .sort((a, b) => b.us - a.us);
}

/**
 * Summarises a parsed `.cpuprofile`: busy, idle and start-up time, self and total time by
 * function and by file.
 *
 * @example
 * const summary = summariseProfile(JSON.parse(readFileSync(file, "utf8")));
 *
 * @param sinceUs samples before this monotonic timestamp (µs, the clock of `process.hrtime`,
 *   which V8 profiles share on Linux) are start-up and left out; 0 keeps everything.
 */
export function summariseProfile(profile: CpuProfile, sinceUs = 0): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);

  const selfUs = new Map<number, number>();
  let totalUs = 0;
  let idleUs = 0;
  let startupUs = 0;
  let timestamp = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const us = profile.timeDeltas[i] ?? 0;
    timestamp += us;
    if (timestamp < sinceUs) {
      startupUs += us;
    } else if (byId.get(id)!.callFrame.functionName === "(idle)") {
      idleUs += us;
    } else {
      totalUs += us;
      selfUs.set(id, (selfUs.get(id) ?? 0) + us);
    }
  }
  const selfByFunction = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  const totalByFunction = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const name = frameName(node);
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + us);
    const file = node.callFrame.url === "" ? "(native)" : origin(node).file;
    selfByFile.set(file, (selfByFile.get(file) ?? 0) + us);
    // Inclusive: every distinct function on this sample's stack gets the sample once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = frameName(byId.get(at)!);
      if (seen.has(frame)) continue;
      seen.add(frame);
      totalByFunction.set(frame, (totalByFunction.get(frame) ?? 0) + us);
    }
  }
  return {
    totalUs,
    idleUs,
    startupUs,
    selfByFunction: toEntries(selfByFunction, totalUs),
    totalByFunction: toEntries(totalByFunction, totalUs),
    selfByFile: toEntries(selfByFile, totalUs),
  };
}

/**
 * Reads and summarises one `.cpuprofile` file.
 *
 * @example
 * console.log(formatSummary("server", readProfile("CPU.123.cpuprofile")));
 */
export function readProfile(path: string, sinceUs = 0): ProfileSummary {
  return summariseProfile(JSON.parse(readFileSync(path, "utf8")) as CpuProfile, sinceUs);
}

/**
 * Markdown: the top `top` entries of each view.
 *
 * @example
 * process.stdout.write(formatSummary("client", readProfile(file), 20));
 */
export function formatSummary(title: string, summary: ProfileSummary, top = 25): string {
  const table = (heading: string, entries: Entry[]): string =>
    [
      `| ${heading} | ms | % |`,
      "|---|---:|---:|",
      ...entries
        .slice(0, top)
        .map((e) => `| \`${e.name}\` | ${(e.us / 1000).toFixed(1)} | ${e.percent.toFixed(1)} |`),
    ].join("\n");
  return [
    `### ${title}`,
    "",
    `${(summary.totalUs / 1000).toFixed(0)} ms busy (the 100% below); left out: ` +
      `${(summary.idleUs / 1000).toFixed(0)} ms idle, ${(summary.startupUs / 1000).toFixed(0)} ms start-up.`,
    "",
    table("self time by function", summary.selfByFunction),
    "",
    table("self time by file", summary.selfByFile),
    "",
    table(
      "total time by function (incl. callees)",
      summary.totalByFunction.filter((e) => !e.name.startsWith("(")),
    ),
    "",
  ].join("\n");
}

if (
  process.argv[1] !== undefined &&
  import.meta.url === new URL(`file://${process.argv[1]}`).href
) {
  const files = process.argv.slice(2).filter((a) => a.endsWith(".cpuprofile"));
  const topIndex = process.argv.indexOf("--top");
  const top = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 25;
  for (const file of files) process.stdout.write(formatSummary(file, readProfile(file), top));
}
