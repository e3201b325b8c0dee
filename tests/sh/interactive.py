#!/usr/bin/env python3
"""tests/sh/interactive.py - interactive job control, through a real terminal.

    tests/sh/interactive.py WARREN

Runs `WARREN sh` on a pseudo-terminal, so the shell is interactive and the
console is the host terminal, and types at it: ^C and ^Z must reach only
the foreground job, the prompt must come back after every job, stopped
jobs must be reported, fg/bg/jobs/kill must work on job specs.  Each step
sends a line (or a control character) and waits for a pattern in what the
terminal shows.  Prints "sh-tty: N passed, N failed".
"""
import os
import pty
import re
import select
import sys
import time

STEP_TIMEOUT = 10.0

# (what to type, pattern expected in the output that follows)
STEPS = [
    (None, r"\$ $"),
    ("echo hello\n", r"hello\r?\n\$ $"),
    ("sleep 30 &\n", r"\[1\] \d+\r?\n\$ $"),
    ("sleep 30\n", None),
    ("^C", r"\$ $"),
    ("echo st=$?\n", r"st=130\r?\n\$ $"),
    ("jobs\n", r"\[1\]\+  Running +sleep 30\r?\n\$ $"),
    ("sleep 30 | cat\n", None),
    ("^Z", r"\[2\]\+  Stopped +sleep 30 \| cat\r?\n\$ $"),
    ("echo st=$?\n", r"st=148\r?\n\$ $"),
    ("jobs\n", r"\[1\]-  Running +sleep 30\r?\n\[2\]\+  Stopped +sleep 30 \| cat\r?\n\$ $"),
    ("bg %2\n", r"\[2\] sleep 30 \| cat &\r?\n\$ $"),
    ("kill %1\n", r"\$ $"),
    ("fg %2\n", r"sleep 30 \| cat\r?\n"),
    ("^C", r"\$ $"),
    ("jobs; echo listed\n", r"listed\r?\n\$ $"),
    ("true\n", r"\$ $"),
    ("for i in 1 2\n", r"> $"),
    ("do echo n$i; done\n", r"n1\r?\nn2\r?\n\$ $"),
    ("exit 5\n", None),
]


def main():
    warren = sys.argv[1] if len(sys.argv) > 1 else "build/warren"
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(warren, [warren, "sh"])
    out = b""
    passed = failed = 0
    for send, want in STEPS:
        mark = len(out)
        if send in ("^C", "^Z"):
            # Let the job start and take the console first, as a person
            # typing would.
            time.sleep(0.5)
            while select.select([fd], [], [], 0)[0]:
                out += os.read(fd, 4096)
            mark = len(out)
        if send == "^C":
            os.write(fd, b"\x03")
        elif send == "^Z":
            os.write(fd, b"\x1a")
        elif send:
            os.write(fd, send.encode())
        if want is None:
            time.sleep(0.5)
            continue
        pat = re.compile(want.encode())
        end = time.time() + STEP_TIMEOUT
        ok = False
        while time.time() < end:
            if pat.search(out, mark):
                ok = True
                break
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                out += data
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL step %r: want /%s/, got %r" % (send, want, out[mark:][-300:]))
    status = None
    end = time.time() + STEP_TIMEOUT
    while time.time() < end:
        try:
            done, st = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            break
        if done:
            status = os.waitstatus_to_exitcode(st)
            break
        try:
            if select.select([fd], [], [], 0.1)[0]:
                os.read(fd, 4096)
        except OSError:
            pass
    if status == 5:
        passed += 1
    else:
        failed += 1
        print("FAIL exit status %r, want 5" % status)
        if status is None:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    print("sh-tty: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
