/**
 * `pnpm add-user NAME [--file users.json]`: adds a user to the chat's user file (or changes
 * their password), asking for the password without echoing it. The file keeps only a scrypt hash
 * with a per-user salt. `--password` exists for scripts; avoid it by hand (it lands in the
 * shell history).
 */
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { addUser, DEFAULT_USERS_FILE } from "./user-store.ts";

async function askHidden(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY });
  try {
    const answer = rl.question(question);
    muted = true;
    return await answer;
  } finally {
    muted = false;
    process.stdout.write("\n");
    rl.close();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      file: { type: "string", default: DEFAULT_USERS_FILE },
      password: { type: "string" },
    },
  });
  const name = positionals[0];
  if (!name) throw new Error("usage: pnpm add-user NAME [--file users.json] [--password PW]");
  const password = values.password ?? (await askHidden(`password for ${name}: `));
  await addUser(values.file, name, password);
  console.log(`added ${name} to ${values.file}`);
}

main().catch((err: unknown) => {
  console.error(`add-user: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
