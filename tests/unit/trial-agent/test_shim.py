"""The minimal nni module: its records equal what NNI's SDK emits (golden
files written from the reference docs, see golden/README.md), the rest of the
trial API behaves like NNI's, and the agent offers it only when `nni` is not
importable."""

import importlib.util
import json
import os
import subprocess
import unittest

from agent_testlib import (GOLDEN, PYTHON, SHIM_DIR, AgentRun, Share,
                           metric_line, trial)

# nni-protocol.md §3.4, verbatim: the packed parameter the host writes.
PARAMETER_3_4 = ('{"parameter_id": 0, "parameter_source": "algorithm", '
                 '"parameters": {"lr": 0.0942, "bs": 32, "n": 4, "q": 2.5, '
                 '"nest": {"_name": "a"}}, "parameter_index": 0}')


def golden(name):
    with open(os.path.join(GOLDEN, name), "rb") as f:
        return f.read()


def records_of(stdout_bytes):
    """The record text of each NNISDK_MEb'...' line."""
    prefix, suffix = b"NNISDK_MEb'", b"'"
    return [line[len(prefix):-len(suffix)].decode("utf-8")
            for line in stdout_bytes.split(b"\n") if line]


class ShimTest(unittest.TestCase):
    def share(self, **kwargs):
        share = Share(**kwargs)
        self.addCleanup(share.cleanup)
        return share

    def run_direct(self, share, argv, **env):
        """The shim without the agent (PYTHONPATH set by hand)."""
        environment = share.env(PYTHONPATH=SHIM_DIR, **env)
        for name, value in env.items():
            if value is None:
                del environment[name]
        return subprocess.run([PYTHON] + argv, env=environment,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=15)

    def through_agent(self, share, argv):
        run = AgentRun(share, [PYTHON] + argv)
        self.assertEqual(run.wait(), 0, run.stderr())
        return share.output("worker-0", "stdout")

    def test_final_result_matches_protocol_3_5(self):
        share = self.share(trial_id="Ab3xZ")
        share.write_parameter(PARAMETER_3_4)
        stdout = self.through_agent(share, [
            trial("report_final.py"), '{"default": 0.5, "other": 1}'])
        self.assertEqual(stdout, golden("protocol_3_5_final.stdout"))
        self.assertEqual([r["data"] for r in share.journal("worker-0")],
                         records_of(golden("protocol_3_5_final.stdout")))

    def test_final_result_matches_protocol_3_8_transcript(self):
        share = self.share(trial_id="trial0")
        share.write_parameter(PARAMETER_3_4)
        stdout = self.through_agent(share, [
            trial("report_final.py"), '{"default": 0.5}'])
        self.assertEqual(stdout, golden("protocol_3_8_final.stdout"))

    def test_intermediate_sequence_nan_quote_and_unicode(self):
        share = self.share(trial_id="Tr1")
        share.write_parameter(
            '{"parameter_id": "0-3_0_1", "parameter_source": "algorithm", '
            '"parameters": {"lr": 0.0942}}')
        run = AgentRun(share, [PYTHON, trial("report_sequence.py")],
                       env=share.env(NNI_TRIAL_SEQ_ID="5"))
        self.assertEqual(run.wait(), 0, run.stderr())
        expected = golden("sequence.stdout")
        self.assertEqual(share.output("worker-0", "stdout"), expected)
        # The record with it's inside its value is cut at the last quote.
        self.assertEqual([r["data"] for r in share.journal("worker-0")],
                         records_of(expected))

    def test_local_platform_uses_the_file_channel_of_protocol_7_5(self):
        share = self.share(trial_id="Tr1")
        share.write_parameter('{"parameter_id": 7, "parameter_source": '
                              '"algorithm", "parameters": {}}')
        result = self.run_direct(share, [trial("report_final.py"), "0.93"],
                                 NNI_PLATFORM="local")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, b"")
        with open(os.path.join(share.sys_dir, ".nni", "metrics"), "rb") as f:
            self.assertEqual(f.read(), golden("protocol_7_5_local.metrics"))
        # REUSE_MODE=true goes back to stdout, as in NNI.
        result = self.run_direct(share, [trial("report_final.py"), "0.93"],
                                 NNI_PLATFORM="local", REUSE_MODE="true")
        record = golden("protocol_7_5_local.metrics")[len("ME000092"):-1]
        self.assertEqual(result.stdout, b"NNISDK_MEb'" + record + b"'\n")

    def test_standalone_defaults(self):
        share = self.share()
        code = ("import json, nni; print(json.dumps([nni.get_trial_id(), "
                "nni.get_experiment_id(), nni.get_sequence_id(), "
                "nni.get_next_parameter(), nni.get_current_parameter()])); "
                "nni.report_intermediate_result(1); "
                "nni.report_final_result(2)")
        result = self.run_direct(
            share, ["-c", code], NNI_PLATFORM=None, NNI_TRIAL_JOB_ID=None,
            NNI_EXP_ID=None, NNI_TRIAL_SEQ_ID=None, NNI_SYS_DIR=None)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout.decode()),
                         ["STANDALONE", "STANDALONE", 0, {}, {}])

    def test_nni_rules_on_order_and_size(self):
        share = self.share()
        share.write_parameter(PARAMETER_3_4)
        early = self.run_direct(share, ["-c", "import nni; "
                                        "nni.report_final_result(1)"])
        self.assertNotEqual(early.returncode, 0)
        self.assertIn(b"get_next_parameter() needs to be called",
                      early.stderr)
        too_long = self.run_direct(share, ["-c", (
            "import nni; nni.get_next_parameter(); "
            "nni.report_final_result('x' * 1000000)")])
        self.assertIn(b"Metric too long", too_long.stderr)
        self.assertEqual(too_long.stdout, b"")

    def test_shim_is_offered_only_when_nni_is_missing(self):
        if importlib.util.find_spec("nni") is not None:
            self.skipTest("this interpreter has a real nni package")
        share = self.share()
        run = AgentRun(share, [PYTHON, trial("which_nni.py")],
                       env=share.env(TSHOST_METRICS_TOKEN="secret"))
        self.assertEqual(run.wait(), 0, run.stderr())
        seen = json.loads(share.output("worker-0", "stdout").decode())
        self.assertEqual(seen["nni_file"], os.path.realpath(
            os.path.join(SHIM_DIR, "nni", "__init__.py")))
        self.assertEqual(seen["pythonpath"], SHIM_DIR)
        self.assertEqual(seen["output_dir"],
                         os.path.join(share.sys_dir, "output", "worker-0"))
        self.assertFalse(seen["has_token"])

    def test_real_nni_is_not_shadowed(self):
        share = self.share()
        fake = share.path("site")
        os.makedirs(os.path.join(fake, "nni"))
        with open(os.path.join(fake, "nni", "__init__.py"), "w") as f:
            f.write("# stands in for an installed NNI\n")
        run = AgentRun(share, [PYTHON, trial("which_nni.py")],
                       env=share.env(PYTHONPATH=fake))
        self.assertEqual(run.wait(), 0, run.stderr())
        seen = json.loads(share.output("worker-0", "stdout").decode())
        self.assertEqual(seen["nni_file"], os.path.realpath(
            os.path.join(fake, "nni", "__init__.py")))
        self.assertEqual(seen["pythonpath"], fake)

    def test_shim_records_pass_through_the_agent_unchanged(self):
        share = self.share(trial_id="Ab3xZ")
        share.write_parameter(PARAMETER_3_4)
        value = '{"default": 0.5, "other": 1}'
        self.through_agent(share, [trial("report_final.py"), value])
        record = share.journal("worker-0")[0]["data"]
        self.assertEqual(metric_line(record).encode() + b"\n",
                         golden("protocol_3_5_final.stdout"))
        self.assertEqual(json.loads(json.loads(record)["value"]),
                         json.loads(value))


if __name__ == "__main__":
    unittest.main()
