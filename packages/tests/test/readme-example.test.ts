/**
 * The root README's opening example, kept runnable: if the public API drifts, this fails before
 * a newcomer's first copy-paste does.
 */
import { expect, it } from "vitest";
import { Service } from "@rpyc/core";
import { connect, serve } from "@rpyc/transport-tcp";

class ChatService extends Service {
  login(user: string, onMessage: (text: string) => void) {
    onMessage(`welcome, ${user}`); // calls back into the client
    return new UserToken(user); // a class instance crosses as a netref
  }
}
class UserToken {
  constructor(private readonly user: string) {}
  say(text: string) {
    return `${this.user}: ${text}`;
  }
}

it("runs the root README example as written", async () => {
  const printed: string[] = [];
  const server = await serve(ChatService, { port: 0 });
  const conn = await connect("127.0.0.1", server.port);
  const token = await conn.root.login("ada", (text: string) => printed.push(text));
  printed.push(await token.say("hello"));
  expect(printed).toEqual(["welcome, ada", "ada: hello"]);
  expect(server.connections.size).toBe(1);
  await conn.close();
  await server.close();
  expect(conn.stats()).toEqual({ exported: 0, imported: 0, pending: 0, held: 0, heldByPeer: 0 });
  expect(server.connections.size).toBe(0);
});
