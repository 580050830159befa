/**
 * Test certificates, made at test time with the `openssl` CLI in a fresh temp directory (never
 * committed): two independent CAs, a server certificate for `localhost` / 127.0.0.1 / ::1 signed
 * by the first, and a client certificate signed by the first.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestCertificates {
  /** PEM of the CA that signed `server` and `client`. */
  readonly ca: string;
  /** PEM of an unrelated CA (for "wrong CA" tests). */
  readonly otherCa: string;
  readonly server: { readonly key: string; readonly cert: string };
  readonly client: { readonly key: string; readonly cert: string };
  /** Removes the temp directory. */
  dispose(): Promise<void>;
}

/** Creates the certificate set (EC P-256 keys, valid one day). Needs `openssl` on PATH. */
export async function createTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), "rpyc-certs-"));
  const file = (name: string): string => join(dir, name);
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  try {
    for (const ca of ["ca", "other-ca"]) {
      await run("openssl", [
        "req",
        "-x509",
        ...newKey,
        "-keyout",
        file(`${ca}.key`),
        "-out",
        file(`${ca}.crt`),
        "-days",
        "1",
        "-subj",
        `/CN=rpyc-ts test ${ca}`,
      ]);
    }
    await writeFile(file("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n");
    await writeFile(file("client.ext"), "extendedKeyUsage=clientAuth\n");
    for (const leaf of ["server", "client"]) {
      await run("openssl", [
        "req",
        ...newKey,
        "-keyout",
        file(`${leaf}.key`),
        "-out",
        file(`${leaf}.csr`),
        "-subj",
        `/CN=${leaf === "server" ? "localhost" : "rpyc-ts test client"}`,
      ]);
      await run("openssl", [
        "x509",
        "-req",
        "-in",
        file(`${leaf}.csr`),
        "-CA",
        file("ca.crt"),
        "-CAkey",
        file("ca.key"),
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        file(`${leaf}.ext`),
        "-out",
        file(`${leaf}.crt`),
      ]);
    }
    const read = (name: string): Promise<string> => readFile(file(name), "utf8");
    return {
      ca: await read("ca.crt"),
      otherCa: await read("other-ca.crt"),
      server: { key: await read("server.key"), cert: await read("server.crt") },
      client: { key: await read("client.key"), cert: await read("client.crt") },
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
