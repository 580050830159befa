"""The orchestrator's line protocol (see src/child-protocol.ts), for the Python children.

A child writes one JSON object per line to stdout, prefixed with LINE_PREFIX, and answers each
command read from stdin, in order, with {"id", "ok", "value" | "error"}.
"""
import json
import sys
import time
import traceback

LINE_PREFIX = "@@bench "


def emit(message):
    sys.stdout.write(LINE_PREFIX + json.dumps(message) + "\n")
    sys.stdout.flush()


def cpu_micros():
    """CPU time of this process (all threads, user + system) in microseconds."""
    return time.process_time() * 1e6


def serve_commands(handle, on_exit):
    """Answers commands with handle(command) until stdin ends or "exit" arrives."""
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        if command["cmd"] == "exit":
            emit({"id": command["id"], "ok": True, "value": None})
            break
        try:
            emit({"id": command["id"], "ok": True, "value": handle(command)})
        except Exception:  # reported to the orchestrator, which marks the cell failed
            emit({"id": command["id"], "ok": False, "error": traceback.format_exc()})
    on_exit()
