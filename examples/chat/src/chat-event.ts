/**
 * What a member's `onMessage` callback receives: plain data (it crosses the wire by value).
 * Shared by the server, the terminal client and the web page, so it imports nothing.
 */

/** One thing that happened in the room. `at` is ms since the epoch, by the server's clock. */
export type ChatEvent =
  | { kind: "message"; user: string; text: string; at: number }
  | { kind: "join"; user: string; at: number }
  | { kind: "leave"; user: string; reason: string; at: number };

/**
 * One line of text for a chat event, the way the seed's client shows it.
 *
 * @example
 * formatChatEvent({ kind: "message", user: "foo", text: "hi", at: Date.now() }); // "12:03 <foo> hi"
 */
export function formatChatEvent(event: ChatEvent): string {
  const at = new Date(event.at);
  const clock = `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
  switch (event.kind) {
    case "message":
      return `${clock} <${event.user}> ${event.text}`;
    case "join":
      return `${clock} * ${event.user} joined *`;
    case "leave":
      return `${clock} * ${event.user} left (${event.reason}) *`;
  }
}
