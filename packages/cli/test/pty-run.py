"""Runs a command on a pseudo-terminal, relaying our stdin to it and its output to our stdout.

Used by the tests of the `rpyc` REPL (run-rpyc.ts) to drive it as a terminal would: the child
sees a TTY (raw-mode line editing, Tab completion, a progress bar). Exits with its status.
"""
import os
import pty
import select
import struct
import sys
import termios
import fcntl

pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])

fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
stdin = sys.stdin.fileno()
open_stdin = True
while True:
    readable = [fd] + ([stdin] if open_stdin else [])
    ready, _, _ = select.select(readable, [], [])
    if stdin in ready:
        data = os.read(stdin, 4096)
        if data:
            os.write(fd, data)
        else:
            open_stdin = False
    if fd in ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        os.write(sys.stdout.fileno(), data)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
