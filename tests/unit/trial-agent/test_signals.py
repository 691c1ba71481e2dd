"""Process handling: SIGTERM/SIGINT reach the command's whole process group,
the exit code is the command's (128 + signal when killed), a signal during
the flush window ends it, a missing command is 127."""

import os
import signal
import unittest

from agent_testlib import (PYTHON, AgentRun, MetricsServer, Share,
                           metric_line, trial, wait_for)


class SignalTest(unittest.TestCase):
    def setUp(self):
        self.share = Share()
        self.addCleanup(self.share.cleanup)

    def forwarded(self, signum):
        share = self.share
        state = share.path("state")
        os.mkdir(state)
        run = AgentRun(share, [PYTHON, trial("family.py"), state])
        self.addCleanup(run.kill)
        for name in ("child-ready", "grandchild-ready"):
            wait_for(lambda: os.path.exists(os.path.join(state, name)), 10,
                     name)
        with open(os.path.join(state, "child-ready")) as f:
            pid, pgid = (int(x) for x in f.read().split())
        # The command leads its own process group, not the agent's.
        self.assertEqual(pid, pgid)
        self.assertNotEqual(pgid, os.getpgid(run.proc.pid))
        run.proc.send_signal(signum)
        code = run.wait()
        with open(os.path.join(state, "grandchild-signal")) as f:
            self.assertEqual(int(f.read()), signum)
        return code

    def test_sigterm_reaches_the_process_group(self):
        self.assertEqual(self.forwarded(signal.SIGTERM),
                         128 + signal.SIGTERM)

    def test_sigint_reaches_the_process_group(self):
        self.assertEqual(self.forwarded(signal.SIGINT), 128 + signal.SIGINT)

    def test_exit_code_is_the_commands(self):
        run = AgentRun(self.share, self.share.spec("t", [], exit_code=5))
        self.assertEqual(run.wait(), 5)

    def test_missing_command_is_127(self):
        run = AgentRun(self.share, [self.share.path("no-such-command")])
        self.assertEqual(run.wait(), 127)
        self.assertIn("cannot run", run.stderr())

    def test_signal_while_flushing_ends_the_flush(self):
        share = self.share
        server = MetricsServer(listen=False)
        self.addCleanup(server.close)
        run = AgentRun(share, share.spec("t", [{"out": [metric_line("m")]}],
                                         exit_code=6),
                       env=share.env(TSHOST_METRICS_URL=server.url,
                                     TSHOST_METRICS_TOKEN="t",
                                     TSHOST_METRICS_FLUSH_SECONDS="60"))
        self.addCleanup(run.kill)
        wait_for(lambda: "the command exited" in run.stderr(), 10,
                 "the flush window")
        run.proc.send_signal(signal.SIGTERM)
        self.assertEqual(run.wait(timeout=10), 6)
        self.assertEqual([r["data"] for r in share.journal("worker-0")],
                         ["m"])


if __name__ == "__main__":
    unittest.main()
