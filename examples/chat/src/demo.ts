/**
 * `pnpm demo`: a scripted chat, to see the whole thing in a few seconds. Starts the server
 * (tcp and web) in this process, logs three users in over real tcp, and shows what foo's
 * screen shows as the others talk, leave, drop off and misuse their tokens. Exits 0.
 */
import { connectStream, type Remote } from "@rpyc/core";
import { connect } from "@rpyc/transport-tcp";
import { once } from "node:events";
import { connect as netConnect } from "node:net";
import { formatChatEvent, type ChatEvent } from "./chat-event.ts";
import type { ChatService } from "./chat-service.ts";
import { startChatServer } from "./server.ts";

/** One scripted user: a tcp connection plus an inbox that can be awaited. */
async function user(port: number) {
  const conn = await connect("127.0.0.1", port);
  const seen: string[] = [];
  const waiters: { match: string; resolve: () => void }[] = [];
  const onMessage = (event: ChatEvent) => {
    const line = formatChatEvent(event);
    seen.push(line);
    for (const w of waiters.filter((w) => line.includes(w.match))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  /** Resolves when a line containing `match` arrives (or already did). */
  const sees = (match: string) =>
    seen.some((l) => l.includes(match))
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ match, resolve }));
  return { conn, root: conn.root as Remote<ChatService>, onMessage, sees };
}

async function demo(): Promise<void> {
  console.log("rpyc-ts chat demo: three users over tcp; below is what foo's screen shows\n");
  const chat = await startChatServer({ port: 0, httpPort: 0 });
  const say = (line: string) => console.log(`    ${line}`);
  const screen = (line: string) => console.log(`  foo's screen | ${line}`);
  const foo = await user(chat.tcp.port);
  const fooToken = await foo.root.login("foo", "bar", (event: ChatEvent) => {
    screen(formatChatEvent(event));
    foo.onMessage(event);
  });
  await foo.sees("foo joined");

  const spam = await user(chat.tcp.port);
  say(`spam logs in with a wrong password…`);
  await spam.root.login("spam", "ham", spam.onMessage).catch((err: Error & { code?: string }) => {
    say(`  refused: ${err.message} (${err.code})`);
  });
  say(`spam logs in with the right one`);
  const spamToken = await spam.root.login("spam", "bacon", spam.onMessage);
  await foo.sees("spam joined");
  say(`spam says hello`);
  await spamToken.say("hello foo!");
  await foo.sees("hello foo!");
  say(`foo answers (everyone, foo included, gets each message)`);
  await fooToken.say("hi spam, nice netref you have there");
  await foo.sees("nice netref");

  // eggs connects over a socket of our own, so the demo can cut it like a crash would.
  const eggsSocket = netConnect(chat.tcp.port, "127.0.0.1");
  await once(eggsSocket, "connect");
  const eggs = await connectStream(eggsSocket);
  await (eggs.root as Remote<ChatService>).login("eggs", "viking", () => {});
  await foo.sees("eggs joined");
  say(`eggs' connection drops without a goodbye (its socket is destroyed)`);
  eggsSocket.destroy();
  await foo.sees("eggs left");

  say(`spam logs out, then tries to use the old token`);
  await spamToken.logout();
  await foo.sees("spam left");
  await spamToken.say("anyone?").catch((err: Error & { code?: string }) => {
    say(`  refused: ${err.message} (${err.code})`);
  });

  await fooToken.logout();
  await Promise.all([foo.conn.close(), spam.conn.close(), eggs.close()]);
  await chat.close();
  console.log(
    `\ndone. To chat yourself (from examples/chat): pnpm server, then pnpm client in another` +
      ` terminal, or open the page it prints.`,
  );
}

demo().catch((err: unknown) => {
  console.error(
    `\nchat demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
  process.exitCode = 1;
});
