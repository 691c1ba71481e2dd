"""The agent end to end on awkward output: metric records with ', non-ASCII
text and 999,999 bytes, broken lines among them, huge plain lines; what lands
in the metrics file, the output copies, the marker and the host; a restarted
replica continuing its numbering."""

import json
import os
import unittest

from agent_testlib import (AgentRun, MetricsServer, Share, journal_first,
                           metric_line, wait_for)


def nni_record(value_text, sequence=0, kind="PERIODICAL"):
    """An NNI-shaped record (nni-protocol.md §3.5) around value_text."""
    return json.dumps({"parameter_id": 0, "trial_job_id": "Tr1",
                       "type": kind, "sequence": sequence,
                       "value": value_text})


class MetricsTest(unittest.TestCase):
    def setUp(self):
        self.share = Share()
        self.addCleanup(self.share.cleanup)

    def test_hard_records_arrive_once_in_order_and_broken_lines_are_skipped(
            self):
        share = self.share
        quote = nni_record(json.dumps({"default": 0.5, "note": "it's ok"}))
        accented = nni_record(json.dumps({"default": 1, "tag": "caf\u00e9"},
                                         ensure_ascii=False), 1)
        # Non-ASCII straight in the record (NNI escapes it; others may not).
        raw_unicode = '{"v": "\u540d\u524d \U0001f389 \u00b0C"}'
        big = nni_record("x" * (999999 - len(nni_record(""))), 2)
        self.assertEqual(len(big.encode()), 999999)
        final = nni_record("0.93", 0, "FINAL")
        steps = [{"out": [
            "epoch 1 starting",
            metric_line(quote),
            "[INFO] " + metric_line(accented) + "   ",
            metric_line(raw_unicode),
            metric_line(big),
            "NNISDK_MEb'{\"unterminated\": 1}",
            {"prefix": "NNISDK_MEb'", "fill": "o", "count": 1000001,
             "suffix": "'"},
            {"prefix": "NNISDK_MEb'{\"bad\": \"", "hex": "fffe227d27"},
            {"fill": "plain ", "count": 400000},
            metric_line(final),
        ]}, {"err": ["a warning on stderr"]}]
        server = MetricsServer(check=journal_first(share, "worker-0"))
        self.addCleanup(server.close)
        run = AgentRun(share, share.spec("trial", steps),
                       env=share.env(TSHOST_METRICS_URL=server.url,
                                     TSHOST_METRICS_TOKEN="good-token"))
        self.assertEqual(run.wait(), 0, run.stderr())

        expected = [quote, accented, raw_unicode, big, final]
        self.assertEqual(
            share.journal("worker-0"),
            [{"seq": i, "primary": True, "data": d}
             for i, d in enumerate(expected)])
        self.assertEqual(server.records(),
                         [{"seq": i, "data": d}
                          for i, d in enumerate(expected)])
        self.assertEqual(server.problems, [])
        self.assertTrue(os.path.exists(share.marker_path("worker-0")))

        emitted = share.emitted("trial")
        self.assertEqual(share.output("worker-0", "stdout"), emitted)
        self.assertEqual(run.stdout(), emitted)
        self.assertEqual(share.output("worker-0", "stderr"),
                         b"a warning on stderr\n")
        stderr = run.stderr()
        self.assertIn("a warning on stderr", stderr)
        self.assertIn("stdout line 6: metric line without the closing '",
                      stderr)
        self.assertIn("stdout line 7: metric record longer than 1000000 "
                      "bytes", stderr)
        self.assertIn("stdout line 8: metric record is not valid UTF-8",
                      stderr)
        self.assertIn("3 metric line(s) skipped", stderr)

    def test_storage_only_mode_writes_file_and_marker_again_after_removal(
            self):
        share = self.share
        go = share.path("go")
        steps = [{"out": [metric_line('{"a": 1}')]}, {"wait_for": go},
                 {"out": [metric_line('{"a": 2}')]}]
        run = AgentRun(share, share.spec("trial", steps, exit_code=0))
        marker = share.marker_path("worker-0")
        wait_for(lambda: os.path.exists(marker), 10, "the changed marker")
        self.assertEqual(len(share.journal("worker-0")), 1)
        os.remove(marker)  # what the host's follower does before reading
        open(go, "w").close()
        self.assertEqual(run.wait(), 0, run.stderr())
        self.assertTrue(os.path.exists(marker))
        self.assertEqual([r["data"] for r in share.journal("worker-0")],
                         ['{"a": 1}', '{"a": 2}'])
        # No URL: nothing to flush, so the default 30 s window is not spent.
        self.assertLess(run.elapsed(), 10)

    def test_restarted_replica_continues_seq_and_drops_a_torn_line(self):
        share = self.share
        path = share.journal_path("worker-0")
        os.makedirs(os.path.dirname(path))
        with open(path, "wb") as f:
            f.write(b'{"seq":0,"primary":true,"data":"a"}\n'
                    b'{"seq":1,"primary":true,"data":"b"}\n'
                    b'{"seq":2,"primary":tr')
        run = AgentRun(share, share.spec(
            "trial", [{"out": [metric_line("c")]}]))
        self.assertEqual(run.wait(), 0, run.stderr())
        self.assertEqual(share.journal("worker-0"),
                         [{"seq": 0, "primary": True, "data": "a"},
                          {"seq": 1, "primary": True, "data": "b"},
                          {"seq": 2, "primary": True, "data": "c"}])
        self.assertIn("removed a torn last line", run.stderr())

    def test_last_line_missing_only_its_newline_is_kept(self):
        share = self.share
        path = share.journal_path("worker-0")
        os.makedirs(os.path.dirname(path))
        with open(path, "wb") as f:
            f.write(b'{"seq":0,"primary":true,"data":"a"}\n'
                    b'{"seq":1,"primary":true,"data":"b"}')
        run = AgentRun(share, share.spec(
            "trial", [{"out": [metric_line("c")]}]))
        self.assertEqual(run.wait(), 0, run.stderr())
        self.assertEqual([r["seq"] for r in share.journal("worker-0")],
                         [0, 1, 2])

    def test_non_primary_replica_is_marked_as_such(self):
        share = self.share
        server = MetricsServer()
        self.addCleanup(server.close)
        run = AgentRun(share, share.spec("trial", [{"out": [
            metric_line("r")]}]), replica="worker-1", primary="worker-0",
            env=share.env(TSHOST_METRICS_URL=server.url,
                          TSHOST_METRICS_TOKEN="good-token"))
        self.assertEqual(run.wait(), 0, run.stderr())
        self.assertEqual(share.journal("worker-1"),
                         [{"seq": 0, "primary": False, "data": "r"}])
        body = server.requests[0]["body"]
        self.assertEqual((body["replica"], body["primary"]),
                         ("worker-1", False))


if __name__ == "__main__":
    unittest.main()
