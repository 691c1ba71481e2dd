"""Pushing to the host: an unreachable host that comes back, one that never
does, wrong token, other 4xx, batching and the 4 MiB cap, request format."""

import json
import os
import unittest

from agent_testlib import (AgentRun, MetricsServer, Share, journal_first,
                           metric_line, wait_for)

TOKEN = "good-token"


class PushTest(unittest.TestCase):
    def setUp(self):
        self.share = Share()
        self.addCleanup(self.share.cleanup)

    def server(self, **kwargs):
        server = MetricsServer(token=TOKEN, **kwargs)
        self.addCleanup(server.close)
        return server

    def agent(self, server, steps, exit_code=0, token=TOKEN, flush="10",
              extra_env=None, **kwargs):
        env = self.share.env(TSHOST_METRICS_URL=server.url,
                             TSHOST_METRICS_TOKEN=token,
                             TSHOST_METRICS_FLUSH_SECONDS=flush,
                             **(extra_env or {}))
        run = AgentRun(self.share, self.share.spec("trial", steps, exit_code),
                       env=env, **kwargs)
        self.addCleanup(run.kill)
        return run

    def test_host_down_then_back_nothing_lost_nothing_duplicated(self):
        share = self.share
        # Refused while not listening, then 503 with Retry-After, then 429.
        server = self.server(listen=False,
                             script=[(503, {"Retry-After": "1"}), (429, {})],
                             check=journal_first(share, "worker-0"))
        go = share.path("go")
        datas = ['{"default": %d, "s": "it\'s"}' % i for i in range(30)]
        run = self.agent(server, [{"out": [metric_line(d) for d in datas]},
                                  {"wait_for": go}])
        wait_for(lambda: len(share.journal("worker-0")) == 30, 10,
                 "30 records in the metrics file")
        wait_for(lambda: "metrics push failed" in run.stderr(), 10,
                 "a refused push")
        server.activate()
        wait_for(lambda: len(server.records()) == 30, 15,
                 "30 records delivered")
        open(go, "w").close()
        self.assertEqual(run.wait(), 0, run.stderr())

        self.assertEqual(server.records(),
                         [{"seq": i, "data": d} for i, d in enumerate(datas)])
        self.assertEqual(server.problems, [])
        requests = server.requests
        self.assertGreaterEqual(len(requests), 3)
        # Retry-After: 1 on the first answer is honoured.
        self.assertGreaterEqual(requests[1]["time"] - requests[0]["time"],
                                0.95)
        self.assertIn("works again", run.stderr())

    def test_host_never_back_file_complete_and_exit_in_flush_window(self):
        share = self.share
        server = self.server(listen=False)
        datas = ['{"default": %d}' % i for i in range(5)]
        run = self.agent(server, [{"out": [metric_line(d) for d in datas]}],
                         exit_code=3, flush="1")
        self.assertEqual(run.wait(), 3, run.stderr())
        self.assertEqual([r["data"] for r in share.journal("worker-0")],
                         datas)
        # It kept trying for the window, then gave up.
        self.assertGreaterEqual(run.elapsed(), 1.0)
        self.assertLess(run.elapsed(), 6.0)
        self.assertIn("5 not pushed", run.stderr())

    def test_wrong_token_is_not_retried(self):
        share = self.share
        server = self.server()
        datas = ['{"default": %d}' % i for i in range(5)]
        run = self.agent(server, [{"out": [metric_line(d) for d in datas]}],
                         exit_code=4, token="stolen-token", flush="20")
        self.assertEqual(run.wait(), 4, run.stderr())
        self.assertLess(run.elapsed(), 10.0)
        self.assertEqual(server.request_count(), 1)
        self.assertEqual(server.requests[0]["authorization"],
                         "Bearer stolen-token")
        self.assertEqual(server.records(), [])
        self.assertEqual(len(share.journal("worker-0")), 5)
        stderr = run.stderr()
        self.assertIn("HTTP 403", stderr)
        self.assertIn("push disabled", stderr)

    def test_other_4xx_drops_only_that_batch(self):
        share = self.share
        server = self.server(script=[(400, {})])
        go = share.path("go")
        run = self.agent(server, [{"out": [metric_line("first")]},
                                  {"wait_for": go},
                                  {"out": [metric_line("second")]}])
        wait_for(lambda: server.request_count() == 1, 10, "the first push")
        open(go, "w").close()
        self.assertEqual(run.wait(), 0, run.stderr())
        self.assertEqual(server.request_count(), 2)
        self.assertEqual(server.records(), [{"seq": 1, "data": "second"}])
        self.assertEqual([r["data"] for r in share.journal("worker-0")],
                         ["first", "second"])
        self.assertIn("HTTP 400", run.stderr())

    def test_records_queued_during_a_push_go_in_one_batch(self):
        share = self.share
        datas = ['{"default": %d}' % i for i in range(200)]

        go = share.path("go")

        def hold_first(body):
            # The trial prints the rest only once the first push is in
            # flight, and that push is held until every record is on file,
            # so the rest are queued (see below) when it returns.
            if body["records"][0]["seq"] == 0:
                open(go, "w").close()
                wait_for(lambda: len(share.journal("worker-0")) == 200, 10,
                         "200 records in the file")
            return []

        server = self.server(check=hold_first)
        run = self.agent(server, [{"out": [metric_line(datas[0])]},
                                  {"wait_for": go}] +
                         [{"out": [metric_line(d)]} for d in datas[1:]])
        self.assertEqual(run.wait(), 0, run.stderr())
        self.assertEqual(server.records(),
                         [{"seq": i, "data": d} for i, d in enumerate(datas)])
        # The agent journals a chunk before it queues it, so the chunk read
        # last can still be on its way to the queue when the held push
        # returns: it then goes in a third request. Pushing records one
        # request each (201 requests) would fail this.
        self.assertIn(server.request_count(), (2, 3))

    def test_batches_carry_at_most_4_mib_of_records(self):
        share = self.share
        datas = [json.dumps({"default": i, "pad": "p" * 999000})
                 for i in range(9)]

        def hold_first(body):
            if body["records"][0]["seq"] == 0:
                wait_for(lambda: len(share.journal("worker-0")) == 9, 10,
                         "9 records in the file")
            return []

        server = self.server(check=hold_first)
        run = self.agent(server, [{"out": [metric_line(d) for d in datas]}])
        self.assertEqual(run.wait(), 0, run.stderr())
        self.assertEqual(server.records(),
                         [{"seq": i, "data": d} for i, d in enumerate(datas)])
        sizes = [len(json.dumps(r["body"]["records"]).encode())
                 for r in server.requests]
        self.assertTrue(all(s <= 4 * 1024 * 1024 for s in sizes), sizes)
        # 8 records after the first, about 1 MB each: more than one request.
        self.assertGreaterEqual(len(sizes), 3)

    def test_request_format_and_no_proxy(self):
        share = Share(trial_id="Ab3xZ", attempt=2)
        self.addCleanup(share.cleanup)
        self.share = share
        server = self.server()
        # A proxy must never see the token: these would swallow the push.
        dead_proxy = MetricsServer(listen=False)
        self.addCleanup(dead_proxy.close)
        run = self.agent(server, [{"out": [metric_line('{"default": 1}')]}],
                         role="ps", primary="worker-0", replica="ps-1",
                         extra_env={"http_proxy": dead_proxy.url,
                                    "HTTP_PROXY": dead_proxy.url})
        self.assertEqual(run.wait(), 0, run.stderr())
        request = server.requests[0]
        self.assertEqual(request["method"], "POST")
        self.assertEqual(request["path"], "/tshost/v1/trials/Ab3xZ/metrics")
        self.assertEqual(request["authorization"], "Bearer " + TOKEN)
        self.assertEqual(request["content_type"], "application/json")
        self.assertEqual(request["body"], {
            "attempt": 2, "replica": "ps-1", "primary": False,
            "records": [{"seq": 0, "data": '{"default": 1}'}]})
        self.assertTrue(os.path.exists(share.marker_path("ps-1")))
        self.assertTrue(share.marker_path("ps-1").endswith(
            os.path.join(".tshost", "changed", "Ab3xZ.attempt-2.ps-1")))


if __name__ == "__main__":
    unittest.main()
