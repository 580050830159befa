/**
 * `pnpm client`: the chat in a terminal, after the seed's GTK client. Asks for a user name and
 * password, prints every message the server calls back with, and sends each line you type.
 * Commands: /who lists who is online, /quit (or Ctrl-D) leaves.
 */
import type { Remote } from "@rpyc/core";
import { connect } from "@rpyc/transport-tcp";
import { clearLine, cursorTo } from "node:readline";
import { createInterface, type Interface } from "node:readline/promises";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { formatChatEvent, type ChatEvent } from "./chat-event.ts";
import type { ChatService } from "./chat-service.ts";
import { DEFAULT_TCP_PORT } from "./ports.ts";

const HELP = "type a message and press Enter; /who lists who is online, /quit leaves";

/** A readline whose echo can be muted (for the password). */
function openPrompt(): { rl: Interface; mute: (on: boolean) => void } {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY });
  return { rl, mute: (on) => (muted = on) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: String(DEFAULT_TCP_PORT) },
      user: { type: "string" },
    },
  });
  const { rl, mute } = openPrompt();
  rl.setPrompt("> ");
  rl.on("SIGINT", () => rl.close()); // Ctrl-C leaves like /quit (logout, then close)
  // Print a line above the prompt without mangling what the user is typing.
  const show = (line: string) => {
    if (process.stdout.isTTY) {
      clearLine(process.stdout, 0);
      cursorTo(process.stdout, 0);
    }
    process.stdout.write(`${line}\n`);
    if (process.stdout.isTTY) rl.prompt(true);
  };

  const conn = await connect(values.host, Number(values.port));
  const root = conn.root as Remote<ChatService>;
  let closing = false;
  conn.on("close", () => {
    if (!closing) {
      show("* the server closed the connection *");
      rl.close();
    }
  });

  const user = values.user ?? (await rl.question("user: "));
  const askPassword = async () => {
    const asking = rl.question("password: ");
    mute(true);
    const password = await asking;
    mute(false);
    process.stdout.write("\n");
    return password;
  };

  // This function stays here: the server gets a reference to it and calls it for every event.
  const onMessage = (event: ChatEvent) => show(formatChatEvent(event));
  let token: Awaited<ReturnType<typeof root.login>> | undefined;
  for (let attempt = 1; !token; attempt++) {
    try {
      token = await root.login(user, await askPassword(), onMessage);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const retry = code === "RPYC_ERR_CHAT_LOGIN_FAILED" && attempt < 3;
      process.stdout.write(`${err instanceof Error ? err.message : String(err)}\n`);
      if (!retry) {
        closing = true;
        rl.close();
        await conn.close();
        process.exitCode = 1;
        return;
      }
    }
  }
  show(`logged in as ${user}: ${HELP}`);
  rl.prompt();

  for await (const line of rl) {
    const text = line.trim();
    try {
      if (text === "/quit") break;
      else if (text === "/who") show(`online: ${(await token.who()).join(", ")}`);
      else if (text.startsWith("/")) show(HELP);
      else if (text) await token.say(text);
    } catch (err) {
      show(`! ${err instanceof Error ? err.message : String(err)}`);
    }
    rl.prompt();
  }
  closing = true;
  rl.close();
  await token.logout().catch(() => {});
  await conn.close();
}

main().catch((err: unknown) => {
  console.error(`chat: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
