/**
 * The one warning when cbor-x runs without cbor-extract: in child processes, since it is once
 * per process. "Missing" is made real by a preload that makes `cbor-extract` unresolvable.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RPYC_WARN_NO_NATIVE_CODEC, isNativeCodecActive } from "@rpyc/protocol";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const tsx = createRequire(import.meta.url).resolve("tsx");
const noExtract = join(fixtures, "no-cbor-extract.cjs");

interface Run {
  native: boolean;
  warnings: number;
  stderr: string;
}

// The preload goes after tsx, whose resolver would otherwise bypass it.
function runCodecUser(
  nodeFlags: string[],
  { missing = false, env = {} }: { missing?: boolean; env?: Record<string, string> } = {},
): Promise<Run> {
  const args = ["--conditions=@rpyc/source", "--import", tsx, ...nodeFlags];
  if (missing) args.push("--import", noExtract);
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [...args, join(fixtures, "codec-user.ts")],
      { timeout: 20_000, env: { ...process.env, NODE_NO_WARNINGS: "", ...env } },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${err.message}\n${stderr}`));
        const { native } = JSON.parse(stdout) as { native: boolean };
        resolve({
          native,
          warnings: stderr.split(`[${RPYC_WARN_NO_NATIVE_CODEC}]`).length - 1,
          stderr,
        });
      },
    ),
  );
}

describe("RPYC_WARN_NO_NATIVE_CODEC", () => {
  it("is active here (the workspace installs cbor-extract with its prebuilt binary)", () => {
    expect(isNativeCodecActive()).toBe(true);
  });

  it("is emitted once per process, not per message, when cbor-extract cannot load", async () => {
    const run = await runCodecUser([], { missing: true });
    expect(run.native).toBe(false);
    expect(run.warnings).toBe(1);
    expect(run.stderr).toMatch(/RpycWarning: cbor-x runs without its native extension/);
    expect(run.stderr).toMatch(/cbor-extract@2\.2\.2/);
  }, 30_000);

  it("is not emitted when the native codec loads", async () => {
    const run = await runCodecUser([]);
    expect(run).toMatchObject({ native: true, warnings: 0 });
  }, 30_000);

  it("is silenced by --disable-warning, and not emitted when the extension is off on purpose", async () => {
    const silenced = await runCodecUser([`--disable-warning=${RPYC_WARN_NO_NATIVE_CODEC}`], {
      missing: true,
    });
    expect(silenced).toMatchObject({ native: false, warnings: 0 });
    const deliberate = await runCodecUser([], {
      env: { CBOR_NATIVE_ACCELERATION_DISABLED: "true" },
    });
    expect(deliberate).toMatchObject({ native: false, warnings: 0 });
  }, 30_000);
});
