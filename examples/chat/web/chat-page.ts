/**
 * The chat's web client: runs in the browser, bundled by esbuild (see src/http-site.ts) with
 * the ws transport's browser client (native WebSocket, no Node modules).
 *
 * One connection serves every login of the page. For the curious (and the tests), the
 * connection is on `window.rpycChat.connection`: try `rpycChat.connection.stats()` in devtools.
 */
import { release, type Connection, type Remote } from "@rpyc/core";
import { connect } from "@rpyc/transport-ws";
import { formatChatEvent, type ChatEvent } from "../src/chat-event.ts";
import type { ChatService } from "../src/chat-service.ts";
import { WS_PATH } from "../src/ports.ts";

type Token = Awaited<ReturnType<Remote<ChatService>["login"]>>;

declare global {
  interface Window {
    rpycChat: { connection: Connection | undefined };
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLDivElement>("status");
const messages = $<HTMLUListElement>("messages");
const state: { conn?: Promise<Connection>; token?: Token } = {};
window.rpycChat = { connection: undefined };

function report(err: unknown): void {
  status.textContent = err instanceof Error ? err.message : String(err);
}

/** Runs in the page; the server calls it (by reference) for every message, join and leave. */
function show(event: ChatEvent): void {
  const li = document.createElement("li");
  li.textContent = formatChatEvent(event); // textContent: a message can never inject markup
  if (event.kind !== "message") li.className = "notice";
  messages.append(li);
  messages.scrollTop = messages.scrollHeight;
}

function showRoom(inRoom: boolean): void {
  $("login-form").hidden = inRoom;
  $("room").hidden = !inRoom;
}

/** The page's one connection, opened on first use. */
function connection(): Promise<Connection> {
  if (!state.conn) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    state.conn = connect(`${scheme}://${location.host}${WS_PATH}`).then((conn) => {
      window.rpycChat.connection = conn;
      conn.on("close", () => {
        state.conn = undefined;
        state.token = undefined;
        window.rpycChat.connection = undefined;
        showRoom(false);
        status.textContent = "disconnected from the server";
      });
      return conn;
    });
    state.conn.catch(() => (state.conn = undefined));
  }
  return state.conn;
}

$<HTMLFormElement>("login-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  void (async () => {
    status.textContent = "";
    try {
      const root = (await connection()).root as Remote<ChatService>;
      const user = $<HTMLInputElement>("user").value;
      state.token = await root.login(user, $<HTMLInputElement>("password").value, show);
      $<HTMLInputElement>("password").value = "";
      showRoom(true);
      $<HTMLInputElement>("text").focus();
    } catch (err) {
      report(err);
    }
  })();
});

$<HTMLFormElement>("say-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const input = $<HTMLInputElement>("text");
  const text = input.value;
  if (!state.token || !text.trim()) return;
  input.value = "";
  state.token.say(text).catch(report);
});

$<HTMLButtonElement>("logout").addEventListener("click", () => {
  const token = state.token;
  if (!token) return;
  state.token = undefined;
  token
    .logout()
    .then(() => {
      status.textContent = "logged out";
      showRoom(false);
    }, report)
    .finally(() => release(token)); // the token is useless now: let the server forget it
});
