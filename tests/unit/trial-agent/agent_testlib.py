"""Shared helpers for the trial agent tests: a scratch share laid out like the
real one, the agent run as a process, and a stdlib HTTP server standing in
for the host's trial-metrics endpoint.  Python 3.6 compatible, like the agent,
so the suite can run under the oldest interpreter the agent supports."""

import http.server
import importlib.util
import json
import os
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT_DIR = os.environ.get("TSHOST_AGENT_DIR") or os.path.normpath(
    os.path.join(HERE, "..", "..", "..", "host", "src", "trialkit", "agent"))
AGENT = os.path.join(AGENT_DIR, "tshost_agent.py")
SHIM_DIR = os.path.join(AGENT_DIR, "nni_shim")
TRIALS = os.path.join(HERE, "trials")
GOLDEN = os.path.join(HERE, "golden")
PYTHON = sys.executable

# Variables of the surrounding environment that would change what the agent
# or a trial does.
_SCRUBBED_PREFIXES = ("NNI_", "TSHOST_", "FC_", "PET_")
_SCRUBBED = ("TF_CONFIG", "RANK", "PYTHONPATH", "MULTI_PHASE", "REUSE_MODE",
             "http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY")


def load_agent_module():
    spec = importlib.util.spec_from_file_location("tshost_agent", AGENT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wait_for(predicate, timeout, what):
    """Polls a condition until a deadline (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1f s waiting for %s"
                                 % (timeout, what))
        time.sleep(0.01)


def trial(name):
    return os.path.join(TRIALS, name)


class Share:
    """share/nni/<exp>/<trialDirName>/ as the host lays it out."""

    def __init__(self, trial_id="Tr1", attempt=0, exp="exp1"):
        self.root = tempfile.mkdtemp(prefix="tshost-agent-test-")
        self.trial_id = trial_id
        self.exp = exp
        self.exp_dir = os.path.join(self.root, "nni", exp)
        self.trial_dir_name = (trial_id if attempt == 0
                               else "%s.attempt-%d" % (trial_id, attempt))
        self.sys_dir = os.path.join(self.exp_dir, self.trial_dir_name)
        os.makedirs(self.sys_dir)

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def spec(self, name, steps, exit_code=0):
        """Writes an emit.py spec; returns the command that runs it."""
        path = self.path(name + ".json")
        with open(path, "w") as f:
            json.dump({"steps": steps, "copy": self.path(name + ".emitted"),
                       "exit": exit_code}, f)
        return [PYTHON, trial("emit.py"), path]

    def emitted(self, name):
        with open(self.path(name + ".emitted"), "rb") as f:
            return f.read()

    def write_parameter(self, text):
        with open(os.path.join(self.sys_dir, "parameter.cfg"), "w") as f:
            f.write(text)

    def journal_path(self, replica):
        return os.path.join(self.sys_dir, ".tshost", "metrics",
                            replica + ".jsonl")

    def marker_path(self, replica):
        return os.path.join(self.exp_dir, ".tshost", "changed",
                            "%s.%s" % (self.trial_dir_name, replica))

    def journal(self, replica):
        """Complete lines of the metrics file, parsed."""
        try:
            with open(self.journal_path(replica), "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return []
        lines = data.split(b"\n")[:-1]
        return [json.loads(line.decode("utf-8")) for line in lines]

    def output(self, replica, stream):
        with open(os.path.join(self.sys_dir, "output", replica, stream),
                  "rb") as f:
            return f.read()

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(_SCRUBBED_PREFIXES) and k not in _SCRUBBED}
        env.update({
            "NNI_PLATFORM": "kubeflow",
            "NNI_SYS_DIR": self.sys_dir,
            "NNI_TRIAL_JOB_ID": self.trial_id,
            "NNI_EXP_ID": self.exp,
            "NNI_TRIAL_SEQ_ID": "0",
            "MULTI_PHASE": "false",
            "PYTHONDONTWRITEBYTECODE": "1",
        })
        env.update(extra)
        return env


class AgentRun:
    """tshost_agent.py as a process; its own stdout/stderr go to files."""

    def __init__(self, share, command, role="worker", primary="worker-0",
                 replica=None, env=None, name="agent", agent=AGENT):
        self.share = share
        self.stdout_path = share.path(name + ".stdout")
        self.stderr_path = share.path(name + ".stderr")
        argv = [PYTHON, agent, "--role", role, "--primary-replica", primary]
        if replica:
            argv += ["--replica", replica]
        argv += ["--"] + list(command)
        with open(self.stdout_path, "wb") as out, \
                open(self.stderr_path, "wb") as err:
            self.started = time.monotonic()
            self.proc = subprocess.Popen(
                argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                env=env if env is not None else share.env())
        self.ended = None

    def wait(self, timeout=15):
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("agent still running after %s s; stderr:\n%s"
                                 % (timeout, self.stderr()))
        self.ended = time.monotonic()
        return code

    def elapsed(self):
        return self.ended - self.started

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stdout(self):
        with open(self.stdout_path, "rb") as f:
            return f.read()

    def stderr(self):
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


class _HTTPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def server_bind(self):
        # Skip HTTPServer's getfqdn() lookup.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class MetricsServer:
    """Stands in for the host's trial-metrics server.

    Until activate() the port is bound but not listening, so connections are
    refused.  `script` is a list of (status, headers) answered to the first
    requests, in order; after it, requests with the right token get 200
    {"accepted": n} and their records are kept, others 403.  `check`, if
    set, is called with each parsed body before it is answered (it may block
    to hold the agent's request) and returns a list of problems (kept in
    self.problems).  `tls`: (certificate file, key file) to serve https."""

    def __init__(self, token="good-token", script=(), listen=True,
                 check=None, tls=None):
        self.token = token
        self.script = list(script)
        self.check = check
        self.lock = threading.Lock()
        self.requests = []
        self.accepted = []
        self.problems = []
        self.active = False
        self.httpd = _HTTPServer(("127.0.0.1", 0), self._handler_class(),
                                 bind_and_activate=False)
        self.httpd.server_bind()
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        if tls is not None:
            import ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls[0], tls[1])
            self.httpd.socket = context.wrap_socket(self.httpd.socket,
                                                    server_side=True)
            self.url = "https://127.0.0.1:%d" % self.port
        self.thread = None
        if listen:
            self.activate()

    def activate(self):
        self.httpd.server_activate()
        self.active = True
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def close(self):
        if self.active:
            self.httpd.shutdown()
        self.httpd.server_close()

    def records(self):
        with self.lock:
            return [r for body in self.accepted for r in body["records"]]

    def request_count(self):
        with self.lock:
            return len(self.requests)

    def _answer(self, handler):
        length = int(handler.headers.get("Content-Length", "0"))
        raw = handler.rfile.read(length)
        body = json.loads(raw.decode("utf-8"))
        arrived = time.monotonic()
        problems = self.check(body) if self.check is not None else []
        with self.lock:
            self.requests.append({
                "time": arrived, "path": handler.path,
                "method": handler.command,
                "authorization": handler.headers.get("Authorization"),
                "content_type": handler.headers.get("Content-Type"),
                "length": length, "body": body})
            self.problems.extend(problems)
            if self.script:
                status, headers = self.script.pop(0)
            elif handler.headers.get("Authorization") != \
                    "Bearer " + self.token:
                status, headers = 403, {}
            else:
                status, headers = 200, {}
                self.accepted.append(body)
        reply = (json.dumps({"accepted": len(body["records"])}) if
                 status == 200 else "status %d" % status).encode()
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(reply)))
        handler.end_headers()
        handler.wfile.write(reply)

    def _handler_class(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                server._answer(self)

            def log_message(self, *args):
                pass

        return Handler


def journal_first(share, replica):
    """A MetricsServer check: every pushed record must already be in the
    metrics file with the same seq and data, and the marker must exist."""
    def check(body):
        on_file = {r["seq"]: r["data"] for r in share.journal(replica)}
        problems = []
        for record in body["records"]:
            if on_file.get(record["seq"]) != record["data"]:
                problems.append("seq %d pushed before it was in the file"
                                % record["seq"])
        if not os.path.exists(share.marker_path(replica)):
            problems.append("pushed before the changed marker existed")
        return problems
    return check


def metric_line(record):
    return "NNISDK_MEb'" + record + "'"
