import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Service } from "@rpyc/core";
import { connect, serve, TlsError, type Server } from "@rpyc/transport-tcp";
import { createTestCertificates, type TestCertificates } from "../src/certificates.ts";

class EchoService extends Service {
  echo(value: unknown) {
    return value;
  }
}

let certs: TestCertificates;
let server: Server;

beforeAll(async () => {
  certs = await createTestCertificates();
  server = await serve(EchoService, { tls: certs.server });
});

afterAll(async () => {
  await server?.close({ timeout: 0 });
  await certs?.dispose();
});

describe("TLS", () => {
  it("connects when the CA and the host name match (by name and by IP)", async () => {
    for (const host of ["localhost", "127.0.0.1"]) {
      const conn = await connect(host, server.port, { tls: { ca: certs.ca } });
      expect(conn.closed).toBe(false);
      await conn.close();
    }
    await vi.waitFor(() => expect(server.socketCount).toBe(0), { timeout: 5000 });
  });

  it("refuses a server certificate from an unknown CA", async () => {
    const attempt = connect("localhost", server.port, { tls: { ca: certs.otherCa }, attempts: 1 });
    await expect(attempt).rejects.toBeInstanceOf(TlsError);
    await expect(attempt).rejects.toMatchObject({
      code: "RPYC_ERR_TLS_CERTIFICATE",
      message: expect.stringContaining("pass the CA that signed it"),
    });
  });

  it("refuses a certificate for another host name (verification is on by default)", async () => {
    const attempt = connect("127.0.0.1", server.port, {
      tls: { ca: certs.ca, servername: "rpyc.example.com" },
      attempts: 1,
    });
    await expect(attempt).rejects.toMatchObject({
      name: "TlsError",
      code: "RPYC_ERR_TLS_HOSTNAME",
      message: expect.stringContaining("does not match"),
    });
  });

  it("with requestCert, refuses clients without a certificate and authenticates those with one", async () => {
    const mutual = await serve(EchoService, {
      tls: { ...certs.server, ca: certs.ca, requestCert: true },
      authenticator: (socket) => (socket as TLSSocket).getPeerCertificate().subject.CN,
    });
    try {
      await expect(
        connect("localhost", mutual.port, { tls: { ca: certs.ca }, attempts: 1 }),
      ).rejects.toMatchObject({
        name: "TlsError",
        code: "RPYC_ERR_TLS_CLIENT_CERTIFICATE",
        message: expect.stringContaining("pass tls.cert and tls.key"),
      });
      const conn = await connect("localhost", mutual.port, {
        tls: { ca: certs.ca, ...certs.client },
      });
      await vi.waitFor(() => expect(mutual.connections.size).toBe(1), { timeout: 5000 });
      expect([...mutual.connections][0]!.credentials).toBe("rpyc-ts test client");
      await conn.close();
    } finally {
      await mutual.close({ timeout: 0 });
    }
    expect(mutual.socketCount).toBe(0);
  });
});
