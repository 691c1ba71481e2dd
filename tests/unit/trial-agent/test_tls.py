"""Pushing over https (metricsTls): the agent trusts the kit's metrics-ca.crt
next to itself, else the system's store, and checks the host name.

The certificates are made here with the `openssl` command (Python's standard
library cannot make one); without it the suite is skipped."""

import os
import shutil
import subprocess
import tempfile
import unittest

from agent_testlib import (AGENT, SHIM_DIR, AgentRun, MetricsServer, Share,
                           metric_line, wait_for)

TOKEN = "good-token"
OPENSSL = shutil.which("openssl")


def openssl(*args, cwd):
    subprocess.run([OPENSSL] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_ca(directory, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-keyout", name + ".key", "-out", name + ".crt",
            "-subj", "/CN=" + name,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-addext", "subjectKeyIdentifier=hash", cwd=directory)
    return os.path.join(directory, name + ".crt")


def make_server_cert(directory, ca, name, san):
    with open(os.path.join(directory, name + ".ext"), "w") as f:
        f.write("subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\n"
                "authorityKeyIdentifier=keyid\n" % san)
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
            "-out", name + ".csr", "-subj", "/CN=" + name, cwd=directory)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt",
            "-CAkey", ca + ".key", "-set_serial", "1", "-days", "2",
            "-extfile", name + ".ext", "-out", name + ".crt", cwd=directory)
    return (os.path.join(directory, name + ".crt"),
            os.path.join(directory, name + ".key"))


@unittest.skipIf(OPENSSL is None,
                 "no openssl command to make a throwaway CA with")
class TlsPushTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = tempfile.mkdtemp(prefix="tshost-agent-tls-")
        d = cls.pki
        cls.ca = make_ca(d, "ca")
        cls.other_ca = make_ca(d, "other-ca")
        cls.good = make_server_cert(d, "ca", "host",
                                    "IP:127.0.0.1,DNS:localhost")
        cls.wrong_name = make_server_cert(d, "ca", "elsewhere",
                                          "DNS:elsewhere.example")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.pki, ignore_errors=True)

    def setUp(self):
        self.share = Share()
        self.addCleanup(self.share.cleanup)

    def kit(self, ca_file):
        """The agent as the host installs it: in the kit directory on the
        share, with metrics-ca.crt next to it when `ca_file` is set."""
        kit = self.share.path("kit")
        os.makedirs(kit)
        shutil.copy(AGENT, kit)
        shutil.copytree(SHIM_DIR, os.path.join(kit, "nni_shim"))
        if ca_file:
            shutil.copy(ca_file, os.path.join(kit, "metrics-ca.crt"))
        return os.path.join(kit, "tshost_agent.py")

    def run_agent(self, server, agent, datas, flush="10"):
        env = self.share.env(TSHOST_METRICS_URL=server.url,
                             TSHOST_METRICS_TOKEN=TOKEN,
                             TSHOST_METRICS_FLUSH_SECONDS=flush)
        run = AgentRun(self.share,
                       self.share.spec("trial",
                                       [{"out": [metric_line(d)
                                                 for d in datas]}]),
                       env=env, agent=agent)
        self.addCleanup(run.kill)
        return run

    def server(self, cert):
        server = MetricsServer(token=TOKEN, tls=cert)
        self.addCleanup(server.close)
        self.assertTrue(server.url.startswith("https://127.0.0.1:"))
        return server

    def test_the_kit_ca_is_trusted_and_records_arrive(self):
        server = self.server(self.good)
        datas = ['{"default": %d, "s": "it\'s é"}' % i for i in range(5)]
        run = self.run_agent(server, self.kit(self.ca), datas)
        self.assertEqual(run.wait(), 0, run.stderr())
        self.assertEqual(server.records(),
                         [{"seq": i, "data": d} for i, d in enumerate(datas)])
        self.assertIn("metrics-ca.crt", run.stderr())
        self.assertNotIn("push failed", run.stderr())

    def assert_nothing_delivered(self, server, run, datas):
        self.assertEqual(run.wait(), 0, run.stderr())
        # The records are safe in the metrics file for the host to reconcile.
        self.assertEqual([r["data"] for r in self.share.journal("worker-0")],
                         datas)
        self.assertEqual(server.records(), [])
        self.assertEqual(server.request_count(), 0)
        self.assertIn("CERTIFICATE_VERIFY_FAILED", run.stderr())

    def test_a_server_the_kit_ca_did_not_sign_gets_nothing(self):
        server = self.server(self.good)
        datas = ['{"default": 1}']
        run = self.run_agent(server, self.kit(self.other_ca), datas,
                             flush="1")
        self.assert_nothing_delivered(server, run, datas)

    def test_the_host_name_is_checked(self):
        server = self.server(self.wrong_name)
        datas = ['{"default": 2}']
        run = self.run_agent(server, self.kit(self.ca), datas, flush="1")
        self.assert_nothing_delivered(server, run, datas)
        self.assertIn("mismatch", run.stderr())

    def test_without_the_kit_file_the_system_store_is_used(self):
        # The throwaway CA is in no system store, so verification fails.
        server = self.server(self.good)
        datas = ['{"default": 3}']
        run = self.run_agent(server, self.kit(None), datas, flush="1")
        self.assert_nothing_delivered(server, run, datas)
        self.assertIn("the system's CA store", run.stderr())


if __name__ == "__main__":
    unittest.main()
