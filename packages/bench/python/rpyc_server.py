"""Python RPyC (Debian python3-rpyc) bench server: a ThreadedServer on 127.0.0.1, port 0.

Same service as the Node contenders (src/driver.ts EXPECTED): add, echo, call_me, value, make.
"""
import os
import socket
import sys
import threading

import rpyc
from rpyc.utils.server import ThreadedServer

sys.path.insert(0, os.path.dirname(__file__))
from bench_protocol import cpu_micros, emit, serve_commands  # noqa: E402


class Thing:
    """Goes by reference (RPyC boxes any non-brineable object as a netref)."""

    def __init__(self, value):
        self.value = value

    def next(self):
        return Thing(self.value + 1)


class BenchService(rpyc.Service):
    exposed_value = 42

    def exposed_add(self, a, b):
        return a + b

    def exposed_echo(self, data):
        return data

    def exposed_call_me(self, fn):
        return fn() + 1

    def exposed_make(self):
        return Thing(1)


class NoDelayServer(ThreadedServer):
    """TCP_NODELAY on every accepted socket, as the floor, ws and rpyc-ts set it: otherwise Nagle
    plus delayed ACKs stall pipelined calls (b) by ~40 ms, which says nothing about RPyC."""

    def _accept_method(self, sock):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super()._accept_method(sock)


def main():
    server = NoDelayServer(
        BenchService,
        hostname="127.0.0.1",
        port=0,
        protocol_config={"allow_public_attrs": True},
    )
    threading.Thread(target=server.start, daemon=True).start()

    def handle(command):
        if command["cmd"] == "cpu":
            return cpu_micros()
        if command["cmd"] == "mem":
            return None
        raise ValueError("server: unknown command " + command["cmd"])

    emit({"event": "ready", "port": server.port})
    serve_commands(handle, server.close)


if __name__ == "__main__":
    main()
