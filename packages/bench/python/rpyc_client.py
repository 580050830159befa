"""Python RPyC bench client: the six workloads written as an RPyC user would.

- Methods are looked up once (`add = conn.root.add`): RPyC's fastest idiom, one round trip per
  call (a fresh `conn.root.add(...)` would cost a getattr round trip more).
- (b) keeps 64 `rpyc.async_` calls in flight (a FIFO sliding window; RPyC serves a connection's
  requests in order).
- TCP_NODELAY on both ends, as every other contender has it.
- (f) has no pipelining in RPyC: make(), .next (getattr), () and .value are four round trips.
"""
import collections
import math
import os
import sys
import time

import rpyc
from rpyc.core.stream import SocketStream

sys.path.insert(0, os.path.dirname(__file__))
from bench_protocol import cpu_micros, emit, serve_commands  # noqa: E402

ECHO_BYTES = 1024 * 1024
IN_FLIGHT = 64


def percentile(ordered, q):
    if not ordered:
        return float("nan")
    rank = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return ordered[rank]


def check(actual, expected, what):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what, expected, actual))


def main():
    port = int(sys.argv[1])
    # rpyc.connect() leaves Nagle on; SocketStream.connect(nodelay=True) is RPyC's own switch.
    stream = SocketStream.connect("127.0.0.1", port, nodelay=True)
    conn = rpyc.connect_stream(stream, config={"allow_public_attrs": True})
    root = conn.root
    add = root.add
    echo = root.echo
    call_me = root.call_me
    make = root.make
    payload = os.urandom(ECHO_BYTES)

    def callback():
        return 7

    def op_echo():
        reply = echo(payload)
        if len(reply) != ECHO_BYTES or reply[0] != payload[0] or reply[-1] != payload[-1]:
            raise AssertionError("echo: bytes differ")

    ops = {
        "a": lambda: check(add(1, 2), 3, "add"),
        "c": op_echo,
        "d": lambda: check(call_me(callback), 8, "callback"),
        "e": lambda: check(root.value, 42, "value"),
        "f": lambda: check(make().next().value, 2, "chain"),
    }
    add_async = rpyc.async_(add)

    def measure_sequential(op, duration_s, max_ops):
        latencies = []
        start = time.perf_counter()
        deadline = start + duration_s
        while len(latencies) < max_ops:
            t0 = time.perf_counter()
            op()
            t1 = time.perf_counter()
            latencies.append(t1 - t0)
            if t1 >= deadline:
                break
        return start, latencies

    def measure_in_flight(duration_s, max_ops):
        latencies = []
        window = collections.deque()
        issued = 0
        start = time.perf_counter()
        deadline = start + duration_s
        stop = False
        while issued < min(IN_FLIGHT, max_ops):
            window.append((time.perf_counter(), add_async(1, 2)))
            issued += 1
        while window:
            t0, result = window.popleft()
            check(result.value, 3, "add")
            t1 = time.perf_counter()
            latencies.append(t1 - t0)
            stop = stop or t1 >= deadline
            if not stop and issued < max_ops:
                window.append((time.perf_counter(), add_async(1, 2)))
                issued += 1
        return start, latencies

    def handle(command):
        if command["cmd"] == "mem":
            return None
        if command["cmd"] not in ("warmup", "measure"):
            raise ValueError("client: unknown command " + command["cmd"])
        workload = command["workload"]
        duration_s = command["durationMs"] / 1000.0
        cpu_start = cpu_micros()
        if workload == "b":
            start, latencies = measure_in_flight(duration_s, command["maxOps"])
        else:
            start, latencies = measure_sequential(ops[workload], duration_s, command["maxOps"])
        wall = time.perf_counter() - start
        cpu = cpu_micros() - cpu_start
        latencies.sort()
        return {
            "ops": len(latencies),
            "wallUs": wall * 1e6,
            "clientCpuUs": cpu,
            "p50Us": percentile(latencies, 0.5) * 1e6,
            "p99Us": percentile(latencies, 0.99) * 1e6,
        }

    emit({"event": "ready", "supported": {w: None for w in "abcdef"}})
    serve_commands(handle, conn.close)


if __name__ == "__main__":
    main()
