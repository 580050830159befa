import { describe, expectTypeOf, it } from "vitest";
import { Service, connectPair, type Connection, type Remote, type RemotePromise } from "@rpyc/core";

class Token {
  constructor(readonly user: string) {}
  say(text: string): void {
    void text;
  }
  async logout(): Promise<boolean> {
    return true;
  }
}

class ChatService extends Service {
  count = 3;
  _secret = "s";
  add(a: number, b: number) {
    return a + b;
  }
  async login(user: string, onMessage: (text: string) => void): Promise<Token> {
    void onMessage;
    return new Token(user);
  }
  config() {
    return { port: 1, tags: ["a"], when: new Date() };
  }
  get Point() {
    return Token;
  }
  *numbers(): Generator<number> {
    yield 1;
  }
}

describe("Remote<T>", () => {
  it("maps methods to Promise-returning functions with received results", () => {
    const root = {} as Remote<ChatService>;
    expectTypeOf(root.add(1, 2)).resolves.toEqualTypeOf<number>();
    expectTypeOf(root.add).parameters.toEqualTypeOf<[number, number]>();
    // @ts-expect-error: wrong argument type
    void root.add("1", 2);
    const token = root.login("ann", (text) => console.log(text));
    expectTypeOf(token).resolves.toEqualTypeOf<Remote<Token>>();
    expectTypeOf(root.config()).resolves.toEqualTypeOf<{
      port: number;
      tags: string[];
      when: Date;
    }>();
  });

  it("maps properties to remote promises", () => {
    const root = {} as Remote<ChatService>;
    expectTypeOf(root.count).resolves.toEqualTypeOf<number>();
  });

  it("types pipelining: operations on a result before it settles", () => {
    const root = {} as Remote<ChatService>;
    expectTypeOf(root.login("ann", () => undefined).logout()).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(root.login("ann", () => undefined).user).resolves.toEqualTypeOf<string>();
    expectTypeOf(root.config().port).resolves.toEqualTypeOf<number>();
  });

  it("hides '_' names and the lifecycle members", () => {
    const root = {} as Remote<ChatService>;
    // @ts-expect-error: "_"-prefixed names are never exposed
    void root._secret;
    // @ts-expect-error: lifecycle hooks are never exposed
    void root.onConnect;
    // @ts-expect-error: nor the connection
    void root.connection;
  });

  it("accepts callbacks that return plain values or promises", () => {
    const root = {} as Remote<ChatService>;
    void root.login("ann", async (text) => {
      expectTypeOf(text).toEqualTypeOf<string>();
    });
  });

  it("types construction, iteration and disposal", () => {
    const root = {} as Remote<ChatService>;
    expectTypeOf(new root.Point("x")).resolves.toEqualTypeOf<Remote<Token>>();
    expectTypeOf(root.numbers()).toMatchTypeOf<AsyncIterable<number>>();
    expectTypeOf(root).toMatchTypeOf<Disposable>();
  });

  it("types connectPair roots from the services given", async () => {
    const [client, server] = await connectPair({}, { service: ChatService });
    expectTypeOf(client).toEqualTypeOf<Connection<ChatService>>();
    expectTypeOf(client.root).toEqualTypeOf<Remote<ChatService>>();
    expectTypeOf(server.root).toBeAny();
  });

  it("RemotePromise is a Promise", () => {
    expectTypeOf<RemotePromise<number>>().toMatchTypeOf<Promise<number>>();
  });
});
