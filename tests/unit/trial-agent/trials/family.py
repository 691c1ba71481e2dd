"""Test trial for signal forwarding: the child starts a grandchild (same
process group), both report readiness through files; the grandchild records
the signal it gets, the child keeps the default action (killed by it)."""

import os
import signal
import subprocess
import sys
import time


def grandchild(state_dir):
    def on_signal(signum, frame):
        with open(os.path.join(state_dir, "grandchild-signal"), "w") as f:
            f.write(str(signum))
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    open(os.path.join(state_dir, "grandchild-ready"), "w").close()
    time.sleep(30)
    sys.exit(1)


def child(state_dir):
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    subprocess.Popen([sys.executable, __file__, state_dir, "grandchild"])
    with open(os.path.join(state_dir, "child-ready"), "w") as f:
        f.write("%d %d" % (os.getpid(), os.getpgrp()))
    time.sleep(30)
    sys.exit(1)


if __name__ == "__main__":
    if sys.argv[2:] == ["grandchild"]:
        grandchild(sys.argv[1])
    else:
        child(sys.argv[1])
