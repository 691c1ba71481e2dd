"""Replica naming (FC_TASK_INDEX, TF_CONFIG, PyTorch ranks), attempts from the
trial directory name, and the per-replica paths the agent uses."""

import json
import os
import unittest

from agent_testlib import (PYTHON, AgentRun, Share, load_agent_module,
                           metric_line, trial)

agent = load_agent_module()


def replica(role, env, explicit=None):
    return agent.resolve_replica(role, explicit, env)[0]


class ResolveReplicaTest(unittest.TestCase):
    def test_explicit_replica_wins(self):
        self.assertEqual(replica("worker", {"FC_TASK_INDEX": "3"}, "ps-7"),
                         "ps-7")

    def test_frameworkcontroller_task_index(self):
        self.assertEqual(replica("worker", {"FC_TASK_INDEX": "2"}),
                         "worker-2")
        # FC_TASK_INDEX comes before the others.
        self.assertEqual(replica("ps", {
            "FC_TASK_INDEX": "1", "RANK": "5",
            "TF_CONFIG": '{"task": {"type": "worker", "index": 4}}'}),
            "ps-1")

    def test_tf_config_task_gives_role_and_index(self):
        tf_config = json.dumps({
            "cluster": {"chief": ["c:2222"], "worker": ["w0:2222",
                                                       "w1:2222"]},
            "task": {"type": "worker", "index": 1}, "environment": "cloud"})
        self.assertEqual(replica("Worker", {"TF_CONFIG": tf_config}),
                         "worker-1")
        self.assertEqual(replica("x", {"TF_CONFIG": json.dumps(
            {"task": {"type": "Chief", "index": 0}})}), "chief-0")

    def test_pytorch_ranks(self):
        self.assertEqual(replica("master", {"RANK": "0"}), "master-0")
        self.assertEqual(replica("worker", {"RANK": "1"}), "worker-0")
        self.assertEqual(replica("worker", {"RANK": "3"}), "worker-2")
        self.assertEqual(replica("worker", {"PET_NODE_RANK": "2"}),
                         "worker-1")
        # Ranks mean nothing for other roles.
        self.assertEqual(replica("ps", {"RANK": "3"}), "ps-0")

    def test_default_index_is_zero_and_garbage_is_ignored(self):
        self.assertEqual(replica("worker", {}), "worker-0")
        name, warnings = agent.resolve_replica(
            "worker", None, {"FC_TASK_INDEX": "x", "TF_CONFIG": "{not json"})
        self.assertEqual(name, "worker-0")
        self.assertEqual(len(warnings), 2)
        # str.isdigit() would accept this, int() would not.
        self.assertEqual(replica("worker", {"FC_TASK_INDEX": "\u00b2",
                                            "RANK": "2"}), "worker-1")

    def test_attempt_from_trial_directory_name(self):
        self.assertEqual(agent.parse_attempt("Ab3xZ", "Ab3xZ"), 0)
        self.assertEqual(agent.parse_attempt("Ab3xZ.attempt-3", "Ab3xZ"), 3)
        self.assertEqual(agent.parse_attempt("Other.attempt-3", "Ab3xZ"), 0)


class ReplicaPathsTest(unittest.TestCase):
    def setUp(self):
        self.share = Share()
        self.addCleanup(self.share.cleanup)

    def test_fc_task_index_selects_output_dir_file_and_marker(self):
        share = self.share
        which = [PYTHON, "-c", "import os, sys; sys.stdout.write("
                 "os.environ['NNI_OUTPUT_DIR'] + '\\n'); print(%r)"
                 % metric_line("m")]
        run = AgentRun(share, which, role="worker", primary="worker-0",
                       env=share.env(FC_TASK_INDEX="2"))
        self.assertEqual(run.wait(), 0, run.stderr())
        out_dir = os.path.join(share.sys_dir, "output", "worker-2")
        self.assertEqual(share.output("worker-2", "stdout").split(b"\n")[0],
                         out_dir.encode())
        self.assertEqual(share.journal("worker-2"),
                         [{"seq": 0, "primary": False, "data": "m"}])
        self.assertTrue(os.path.exists(share.marker_path("worker-2")))

    def test_tf_config_replica_is_primary_when_named(self):
        share = self.share
        tf_config = json.dumps({"task": {"type": "chief", "index": 0}})
        run = AgentRun(share, share.spec("t", [{"out": [metric_line("c")]}]),
                       role="chief", primary="chief-0",
                       env=share.env(TF_CONFIG=tf_config))
        self.assertEqual(run.wait(), 0, run.stderr())
        self.assertEqual(share.journal("chief-0"),
                         [{"seq": 0, "primary": True, "data": "c"}])

    def test_unsafe_replica_name_is_refused(self):
        run = AgentRun(self.share, [PYTHON, trial("emit.py")],
                       replica="../../etc")
        self.assertEqual(run.wait(), 2)
        self.assertIn("invalid replica name", run.stderr())
        self.assertFalse(os.path.exists(os.path.join(self.share.sys_dir,
                                                     "output")))


if __name__ == "__main__":
    unittest.main()
