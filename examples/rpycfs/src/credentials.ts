/**
 * User/password authentication at the transport level, before the rpyc handshake: the client
 * writes one credentials frame on the fresh socket (`writeCredentials`, run by transport-tcp's
 * `beforeHandshake`), the server's `authenticator` reads it (`readCredentials`) and checks it
 * against its users in constant time (`UserTable.check`). Until that succeeds the service is not
 * reachable: the socket carries no rpyc message.
 *
 * Frame: the magic `RPYCFS1\n`, then u16 user length, the user (UTF-8), u16 password length,
 * the password (UTF-8). Both at most `MAX_CREDENTIAL_BYTES`. Use TLS on untrusted networks: the
 * password crosses the socket as it is.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Socket } from "node:net";
import { AuthenticationError } from "@rpyc/transport-tcp";

/** First bytes of the credentials frame (also tells a stray rpyc client apart). */
export const CREDENTIALS_MAGIC = Buffer.from("RPYCFS1\n", "latin1");
/** Longest user name or password accepted, in UTF-8 bytes: 1024. */
export const MAX_CREDENTIAL_BYTES = 1024;

/** A user name and password as the client sent them. */
export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/**
 * Encodes the credentials frame (client side).
 *
 * @example
 * socket.write(encodeCredentials({ user: "foo", password: "bar" }));
 */
export function encodeCredentials({ user, password }: Credentials): Buffer {
  const u = Buffer.from(user, "utf8");
  const p = Buffer.from(password, "utf8");
  if (u.length > MAX_CREDENTIAL_BYTES || p.length > MAX_CREDENTIAL_BYTES) {
    throw new RangeError(`user and password must be at most ${MAX_CREDENTIAL_BYTES} bytes`);
  }
  const header = Buffer.alloc(2);
  header.writeUInt16BE(u.length);
  const middle = Buffer.alloc(2);
  middle.writeUInt16BE(p.length);
  return Buffer.concat([CREDENTIALS_MAGIC, header, u, middle, p]);
}

/**
 * Writes the credentials frame; the shape of transport-tcp's `beforeHandshake`.
 *
 * @example
 * await connect(host, port, { beforeHandshake: writeCredentials({ user, password }) });
 */
export function writeCredentials(credentials: Credentials): (socket: Socket) => void {
  const frame = encodeCredentials(credentials);
  return (socket) => {
    socket.write(frame);
  };
}

/**
 * Reads exactly one credentials frame from `socket` (server side), leaving every later byte
 * (the rpyc handshake) unread. Rejects with an `AuthenticationError` on a wrong magic, an
 * oversize length or a socket that ends first; the caller's handshake timeout bounds the wait.
 */
export function readCredentials(socket: Socket): Promise<Credentials> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let need = CREDENTIALS_MAGIC.length + 2;
    let stage: "magic" | "user" | "passwordLength" | "password" = "magic";
    let user = "";
    const finish = (error?: Error, credentials?: Credentials): void => {
      socket.off("readable", onReadable);
      socket.off("close", onClose);
      if (error) reject(error);
      else resolve(credentials!);
    };
    const onClose = (): void =>
      finish(new AuthenticationError("RPYC_ERR_AUTHENTICATION", "no credentials sent"));
    const onReadable = (): void => {
      for (;;) {
        const chunk = socket.read(need) as Buffer | null;
        if (chunk === null) return;
        parts.push(chunk);
        if (stage === "magic") {
          if (!chunk.subarray(0, CREDENTIALS_MAGIC.length).equals(CREDENTIALS_MAGIC)) {
            finish(
              new AuthenticationError(
                "RPYC_ERR_AUTHENTICATION",
                "expected rpycfs credentials (is this an rpycfs client?)",
              ),
            );
            return;
          }
          need = chunk.readUInt16BE(CREDENTIALS_MAGIC.length);
          stage = "user";
        } else if (stage === "user") {
          user = chunk.toString("utf8");
          need = 2;
          stage = "passwordLength";
        } else if (stage === "passwordLength") {
          need = chunk.readUInt16BE(0);
          stage = "password";
        } else {
          finish(undefined, { user, password: chunk.toString("utf8") });
          return;
        }
        if (need > MAX_CREDENTIAL_BYTES) {
          finish(new AuthenticationError("RPYC_ERR_AUTHENTICATION", "credentials too long"));
          return;
        }
        if (need === 0) {
          // socket.read(0) never returns data: handle an empty field here.
          if (stage === "user") {
            need = 2;
            stage = "passwordLength";
          } else if (stage === "password") {
            finish(undefined, { user, password: "" });
            return;
          }
        }
      }
    };
    socket.on("readable", onReadable);
    socket.once("close", onClose);
  });
}

/** SHA-256 of a string, so values of any length compare in constant time. */
function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/**
 * The server's users. `check` takes the same time whether the user exists or not and whatever
 * the password: every user's name and password are compared, with `timingSafeEqual` on digests.
 *
 * @example
 * const users = new UserTable([{ user: "foo", password: "bar" }]);
 * users.check({ user: "foo", password: "bar" }); // "foo"
 */
export class UserTable {
  readonly #entries: readonly { user: Buffer; password: Buffer }[];

  constructor(users: readonly Credentials[]) {
    if (users.length === 0) throw new RangeError("at least one user is needed");
    this.#entries = users.map((u) => ({ user: digest(u.user), password: digest(u.password) }));
  }

  /** The user name when the pair matches a user, else throws an `AuthenticationError`. */
  check(given: Credentials): string {
    const user = digest(given.user);
    const password = digest(given.password);
    let match = false;
    for (const entry of this.#entries) {
      // Both comparisons always run (no short circuit), for every entry.
      const userOk = timingSafeEqual(entry.user, user);
      const passwordOk = timingSafeEqual(entry.password, password);
      match = (userOk && passwordOk) || match;
    }
    if (!match) {
      throw new AuthenticationError("RPYC_ERR_AUTHENTICATION", "wrong user or password");
    }
    return given.user;
  }
}
