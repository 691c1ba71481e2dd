#!/usr/bin/env python3
"""tshost trial agent: runs one replica of a trial and delivers its metrics.

    python3 tshost_agent.py --role ROLE --primary-replica NAME \\
        [--replica NAME] -- COMMAND [ARG...]

Python 3.6+ standard library only: the images this runs in need no pip, no
internet and no NNI.

Data path
---------
One reader thread per stream copies the command's stdout/stderr, in chunks,
to ``$NNI_SYS_DIR/output/<replica>/stdout|stderr`` on the share and to the
agent's own stdout/stderr (for ``kubectl logs``).  The stdout reader also scans
for NNI metric lines (``NNISDK_MEb'<record>'``; the record ends at the LAST
``'`` of the line, so a ``'`` inside a value is fine).  Each record gets the
next per-replica ``seq``, is appended to ``.tshost/metrics/<replica>.jsonl``
(flush + fsync per batch), the marker ``.tshost/changed/<trialDir>.<replica>``
is (re)created, and only then is the record handed to the sender thread, which
POSTs batches to the host's trial-metrics server with retries.

Why the file comes before the push
----------------------------------
The file on the share is what the host reconciles from when the trial ends
and when it resumes; the push only makes metrics arrive sooner.  Writing the
file first means that every record the host has ever received by push is also
in the file, with the same seq, so the host can store each record exactly once
(deduplicated by trial, attempt, replica, seq) and a dropped connection, a
closed port, a host restart or a killed pod can only delay a metric, never
lose it.  Pushing first would let a crash leave the host with a record the
file does not have, and reconciliation could then not tell "already stored"
from "never printed".

Why the token comes from the environment
----------------------------------------
Every trial mounts the same share, so a token written there would be readable
by every other trial, which could then post metrics for trials that are not
its own.  The platform puts TSHOST_METRICS_TOKEN into this pod's (or
process's) environment only.  The agent removes it from the command's
environment so user code does not print it by accident, ignores proxy
variables and does not follow redirects, so the bearer token is only ever sent
to TSHOST_METRICS_URL.

TLS
---
When TSHOST_METRICS_URL is https (the experiment has metricsTls), the agent
verifies the host's certificate against metrics-ca.crt next to this script
(the CA the host generated; only its certificate is on the share) or, when
that file is absent, against the system's CA store; the certificate must name
the URL's host.  A host that fails verification gets no token: the records
stay in the metrics file for the host to reconcile.

Bounds
------
Output is copied in 64 KiB chunks and never held whole; of a stdout line only
the part after the marker is kept, at most 1,000,001 bytes; a push request
carries at most 4 MiB of records; the queue of records not yet pushed is capped
at 32 MiB, beyond which the oldest are left to reconciliation from the file.
The stdout reader writes the metrics file itself (one fsync per chunk read),
so a slow share slows the command's stdout down instead of letting records
pile up in memory; a slow or absent host does not, the sender is separate.
After the command exits the agent keeps trying to deliver for
TSHOST_METRICS_FLUSH_SECONDS (default 30), then exits anyway with the
command's exit code (128 + signal number if a signal killed it).
"""

import argparse
import collections
import email.utils
import http.client
import importlib.util
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

MARKER = b"NNISDK_MEb'"
MAX_RECORD_BYTES = 1000000
READ_CHUNK = 64 * 1024
MAX_BATCH_BYTES = 4 * 1024 * 1024
MAX_QUEUED_BYTES = 32 * 1024 * 1024
BACKOFF_FIRST = 0.2
BACKOFF_MAX = 10.0
REQUEST_TIMEOUT = 10.0
MAX_RETRY_AFTER = 300.0
DEFAULT_FLUSH_SECONDS = 30.0
MAX_REPORTED_SKIPS = 100
FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT)

# Role and replica names become file names on the share.
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class Log:
    """Agent messages and the echo of the command's stderr share one lock,
    so a message never lands in the middle of an echoed chunk."""

    def __init__(self):
        self.lock = threading.Lock()
        self._out = _binary(sys.stdout)
        self._err = _binary(sys.stderr)

    def __call__(self, message):
        self.echo_stderr(("tshost-agent: %s\n" % message).encode(
            "utf-8", "replace"))

    def echo_stdout(self, data):
        self._out = _write_stream(self._out, data)

    def echo_stderr(self, data):
        with self.lock:
            self._err = _write_stream(self._err, data)


def _binary(stream):
    return getattr(stream, "buffer", None) if stream is not None else None


def _write_stream(stream, data):
    """Writes to the agent's own stdout/stderr; a closed or broken stream
    stops the echo (returns None) but never the agent."""
    if stream is None:
        return None
    try:
        stream.write(data)
        stream.flush()
        return stream
    except (OSError, ValueError):
        return None


class MetricScanner:
    """Finds NNI metric records in a byte stream, line by line.

    Memory is bounded whatever the line length: before the marker only the
    last len(MARKER) - 1 bytes of the line are kept (the marker may straddle
    two chunks); after it at most limit + 1 bytes.  Bytes beyond that are
    only looked at for a ``'``: if one comes, the record (which ends at the
    last ``'``) is longer than the limit and the line is discarded.
    """

    SEEK, RECORD, DISCARD = 0, 1, 2

    def __init__(self, limit=MAX_RECORD_BYTES):
        self.limit = limit
        self.line = 1
        self._reset()

    def _reset(self):
        self.state = self.SEEK
        self.tail = b""
        self.rec = bytearray()

    def feed(self, data):
        """Consumes a chunk; returns (line number, record bytes or None,
        reason) for every metric line the chunk completes."""
        events = []
        pos = 0
        while True:
            nl = data.find(b"\n", pos)
            if nl < 0:
                self._add(data[pos:])
                return events
            self._add(data[pos:nl])
            self._end_line(events)
            pos = nl + 1

    def finish(self):
        """End of stream: an unterminated last line counts as a line."""
        events = []
        self._end_line(events)
        return events

    def _add(self, seg):
        if not seg or self.state == self.DISCARD:
            return
        if self.state == self.SEEK:
            buf = self.tail + seg
            i = buf.find(MARKER)
            if i < 0:
                self.tail = buf[-(len(MARKER) - 1):]
                return
            self.state = self.RECORD
            self.tail = b""
            seg = buf[i + len(MARKER):]
        room = self.limit + 1 - len(self.rec)
        if len(seg) <= room:
            self.rec += seg
        else:
            self.rec += seg[:room]
            if seg.find(b"'", room) >= 0:
                self.state = self.DISCARD
                self.rec = bytearray()

    def _end_line(self, events):
        if self.state == self.RECORD:
            end = self.rec.rfind(b"'")
            if end < 0:
                events.append((self.line, None,
                               "metric line without the closing '"))
            else:
                events.append((self.line, bytes(self.rec[:end]), None))
        elif self.state == self.DISCARD:
            events.append((self.line, None,
                           "metric record longer than %d bytes" % self.limit))
        self.line += 1
        self._reset()


class Journal:
    """The per-replica metrics file: one JSON line per record, appended and
    fsynced per batch, then the host's "changed" marker is (re)created."""

    SEQ_RE = re.compile(rb'^\{"seq":(\d+),')

    def __init__(self, path, marker, primary, log):
        self.path = path
        self.marker = marker
        self.primary = "true" if primary else "false"
        self.log = log
        self.next_seq = 0
        self.size = 0
        self.marker_failed = False
        self.fd = None
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND,
                              0o644)
            self._recover()
        except OSError as e:
            log("cannot use the metrics file %s (%s); metrics are only "
                "pushed" % (path, e))
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None

    def _recover(self):
        """A restarted replica (same attempt) continues the seq numbering,
        so its records are not taken for duplicates, and drops a torn last
        line an interrupted write may have left."""
        size = os.fstat(self.fd).st_size
        max_seq = -1
        offset = 0
        line_start = 0
        head = bytearray()
        while offset < size:
            chunk = os.pread(self.fd, min(1 << 20, size - offset), offset)
            if not chunk:
                break
            pos = 0
            while True:
                nl = chunk.find(b"\n", pos)
                stop = len(chunk) if nl < 0 else nl
                if len(head) < 32:
                    head += chunk[pos:min(stop, pos + 32 - len(head))]
                if nl < 0:
                    break
                m = self.SEQ_RE.match(head)
                if m:
                    max_seq = max(max_seq, int(m.group(1)))
                head = bytearray()
                line_start = offset + nl + 1
                pos = nl + 1
            offset += len(chunk)
        size = offset
        if line_start < size:
            tail = os.pread(self.fd, size - line_start, line_start)
            seq = _complete_line_seq(tail)
            if seq is not None:
                os.write(self.fd, b"\n")
                size += 1
                max_seq = max(max_seq, seq)
            else:
                os.ftruncate(self.fd, line_start)
                self.log("removed a torn last line (%d bytes) from %s"
                         % (size - line_start, self.path))
                size = line_start
        self.size = size
        self.next_seq = max_seq + 1
        if max_seq >= 0:
            self.log("%s already has records up to seq %d; continuing after "
                     "them" % (self.path, max_seq))

    def append(self, datas):
        """Numbers the records, writes them, returns [(seq, data)]."""
        records = []
        lines = []
        for data in datas:
            records.append((self.next_seq, data))
            lines.append('{"seq":%d,"primary":%s,"data":%s}\n' % (
                self.next_seq, self.primary,
                json.dumps(data, ensure_ascii=False)))
            self.next_seq += 1
        if self.fd is None:
            return records
        blob = memoryview("".join(lines).encode("utf-8"))
        length = len(blob)
        try:
            while blob:
                blob = blob[os.write(self.fd, blob):]
            os.fsync(self.fd)
            self.size += length
        except OSError as e:
            self.log("writing %s failed (%s); %d record(s) not in it"
                     % (self.path, e, len(records)))
            try:
                os.ftruncate(self.fd, self.size)
            except OSError:
                pass
            return records
        self._touch_marker()
        return records

    def _touch_marker(self):
        flags = os.O_WRONLY | os.O_CREAT
        try:
            try:
                os.close(os.open(self.marker, flags, 0o644))
            except FileNotFoundError:
                os.makedirs(os.path.dirname(self.marker), exist_ok=True)
                os.close(os.open(self.marker, flags, 0o644))
        except OSError as e:
            if not self.marker_failed:  # once, not per batch
                self.marker_failed = True
                self.log("cannot create %s (%s)" % (self.marker, e))


def _complete_line_seq(tail):
    """seq of a last line that is complete but for its newline, else None."""
    try:
        obj = json.loads(tail.decode("utf-8"))
    except ValueError:
        return None
    if isinstance(obj, dict):
        seq = obj.get("seq")
        if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0:
            return seq
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would send the bearer token somewhere else."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def parse_retry_after(value):
    """Seconds to wait from a Retry-After header (seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (email.utils.parsedate_to_datetime(value).timestamp()
                       - time.time())
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if seconds != seconds:
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


METRICS_CA_FILE = "metrics-ca.crt"


def metrics_tls_context(agent_dir):
    """(ssl context, what it trusts) for an https TSHOST_METRICS_URL: the
    kit's metrics-ca.crt when present, else the system's CA store; hostname
    check on.  Raises ImportError (no ssl module), OSError or ssl.SSLError."""
    import ssl
    ca_file = os.path.join(agent_dir, METRICS_CA_FILE)
    if os.path.isfile(ca_file):
        context = ssl.create_default_context(cafile=ca_file)
        trusted = ca_file
    else:
        context = ssl.create_default_context()
        trusted = "the system's CA store"
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    return context, trusted


class Sender(threading.Thread):
    """Pushes queued records to the host in order, in batches, with retries.

    A batch leaves the queue only when the host accepted it (2xx) or
    rejected it for good (4xx other than 429), so records go out in seq
    order and none is skipped while the host is unreachable."""

    OK, RETRY, DROP, AUTH = range(4)

    def __init__(self, url, token, trial_id, attempt, replica, primary, log,
                 ssl_context=None):
        super().__init__(name="tshost-metrics-sender", daemon=True)
        self.endpoint = "%s/tshost/v1/trials/%s/metrics" % (
            url.rstrip("/"), urllib.parse.quote(trial_id, safe=""))
        self.headers = {"Authorization": "Bearer " + token,
                        "Content-Type": "application/json"}
        self.prefix = ('{"attempt": %d, "replica": %s, "primary": %s, '
                       '"records": [' % (attempt, json.dumps(replica),
                                         "true" if primary else "false")
                       ).encode("utf-8")
        self.log = log
        handlers = [urllib.request.ProxyHandler({}), _NoRedirect()]
        if ssl_context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=ssl_context))
        self.opener = urllib.request.build_opener(*handlers)
        self.cond = threading.Condition()
        self.queue = collections.deque()
        self.queued_bytes = 0
        self.finishing = False
        self.deadline = None
        self.stopped = False
        self.disabled = False
        self.delivered = 0
        self.dropped = 0
        self.evicted = 0

    def enqueue(self, records):
        entries = [(seq, ('{"seq": %d, "data": %s}' % (
            seq, json.dumps(data, ensure_ascii=False))).encode("utf-8"))
            for seq, data in records]
        with self.cond:
            if self.disabled:
                self.dropped += len(entries)
                return
            if self.stopped:
                return
            for entry in entries:
                self.queue.append(entry)
                self.queued_bytes += len(entry[1])
            while self.queued_bytes > MAX_QUEUED_BYTES and len(self.queue) > 1:
                if self.evicted == 0:
                    self.log("push queue over %d bytes; the oldest records "
                             "are left to reconciliation from the metrics "
                             "file" % MAX_QUEUED_BYTES)
                self.queued_bytes -= len(self.queue.popleft()[1])
                self.evicted += 1
            self.cond.notify_all()

    def finish(self, deadline):
        """The command has exited: deliver what is queued until deadline."""
        with self.cond:
            self.finishing = True
            self.deadline = deadline
            self.cond.notify_all()

    def stop(self):
        with self.cond:
            self.stopped = True
            self.cond.notify_all()

    def pending(self):
        with self.cond:
            return len(self.queue)

    def _expired(self):
        return self.deadline is not None and time.monotonic() >= self.deadline

    def run(self):
        backoff = BACKOFF_FIRST
        failures = 0
        while True:
            with self.cond:
                while not (self.queue or self.stopped or self.finishing):
                    self.cond.wait()
                if self.stopped or not self.queue or self._expired():
                    return
                batch = []
                size = len(self.prefix) + 2
                for entry in self.queue:
                    if batch and size + len(entry[1]) + 2 > MAX_BATCH_BYTES:
                        break
                    batch.append(entry)
                    size += len(entry[1]) + 2
                timeout = REQUEST_TIMEOUT
                if self.deadline is not None:
                    timeout = min(timeout, max(0.05, self.deadline
                                               - time.monotonic()))
            body = (self.prefix + b", ".join(entry[1] for entry in batch)
                    + b"]}")
            outcome, retry_after, why = self._post(body, timeout)
            with self.cond:
                if outcome != self.RETRY:
                    for entry in batch:
                        if self.queue and self.queue[0] is entry:
                            self.queue.popleft()
                            self.queued_bytes -= len(entry[1])
                    if failures and outcome == self.OK:
                        self.log("metrics push works again after %d failed "
                                 "attempt(s)" % failures)
                    failures = 0
                    backoff = BACKOFF_FIRST
                    if outcome == self.OK:
                        self.delivered += len(batch)
                        continue
                    self.dropped += len(batch)
                    self.log("metrics push rejected (%s); %d record(s) left "
                             "to reconciliation from the metrics file"
                             % (why, len(batch)))
                    if outcome == self.AUTH:
                        # The token is fixed for this run: retrying or
                        # sending the next batch cannot succeed.
                        self.log("metrics push disabled for this run")
                        self.disabled = True
                        self.dropped += len(self.queue)
                        self.queue.clear()
                        self.queued_bytes = 0
                        return
                    continue
                failures += 1
                if failures == 1 or failures % 10 == 0:
                    self.log("metrics push failed (%s); retrying" % why)
                delay = backoff / 2 + random.uniform(0, backoff / 2)
                backoff = min(backoff * 2, BACKOFF_MAX)
                if retry_after is not None:
                    delay = max(delay, retry_after)
                wake = time.monotonic() + delay
                while not self.stopped:
                    remaining = wake - time.monotonic()
                    if self.deadline is not None:
                        remaining = min(remaining,
                                        self.deadline - time.monotonic())
                    if remaining <= 0:
                        break
                    self.cond.wait(remaining)

    def _post(self, body, timeout):
        request = urllib.request.Request(self.endpoint, data=body,
                                         headers=self.headers, method="POST")
        try:
            with self.opener.open(request, timeout=timeout) as response:
                response.read()
            return self.OK, None, None
        except urllib.error.HTTPError as e:
            code = e.code
            retry_after = parse_retry_after(e.headers.get("Retry-After")
                                            if e.headers else None)
            try:
                detail = e.read(300).decode("utf-8", "replace").strip()
            except (OSError, http.client.HTTPException):
                detail = ""
            e.close()
            why = "HTTP %d%s" % (code, ": " + detail if detail else "")
            if code == 429 or code >= 500:
                return self.RETRY, retry_after, why
            if code in (401, 403):
                return self.AUTH, None, why
            return self.DROP, None, why
        except ValueError as e:
            # Invalid URL or header (token): the same on every attempt.
            return self.AUTH, None, "cannot send the request: %s" % e
        except (urllib.error.URLError, OSError,
                http.client.HTTPException) as e:
            return self.RETRY, None, str(getattr(e, "reason", e) or e)


def resolve_replica(role, explicit, env):
    """Replica name <role>-<index>, from --replica, else FrameworkController's
    FC_TASK_INDEX, else TFJob's TF_CONFIG (whose task type is the role), else
    PyTorchJob's rank (master-0 is rank 0, worker i is rank i + 1), else 0.
    Returns (name, warnings)."""
    warnings = []
    if explicit:
        return explicit, warnings
    index = env.get("FC_TASK_INDEX", "").strip()
    if index:
        if _index(index) is not None:
            return "%s-%d" % (role, _index(index)), warnings
        warnings.append("ignoring FC_TASK_INDEX=%r" % index)
    tf_config = env.get("TF_CONFIG", "").strip()
    if tf_config:
        task = None
        try:
            task = json.loads(tf_config).get("task")
        except (ValueError, AttributeError):
            pass
        ttype = task.get("type") if isinstance(task, dict) else None
        tindex = task.get("index") if isinstance(task, dict) else None
        if isinstance(tindex, str):
            tindex = _index(tindex)
        if (isinstance(ttype, str) and ttype and isinstance(tindex, int)
                and not isinstance(tindex, bool) and tindex >= 0):
            return "%s-%d" % (ttype.lower(), tindex), warnings
        warnings.append("ignoring TF_CONFIG without task.type/task.index")
    if role.lower() in ("master", "worker"):
        for name in ("PET_NODE_RANK", "RANK"):
            rank = _index(env.get(name, ""))
            if rank is not None:
                if role.lower() == "master":
                    return "%s-0" % role, warnings
                # Without a master (elastic jobs) workers start at rank 0.
                return "%s-%d" % (role, max(rank - 1, 0)), warnings
    return "%s-0" % role, warnings


def _index(text):
    """A non-negative decimal integer (ASCII digits only), else None."""
    text = text.strip()
    return int(text) if re.match(r"^[0-9]{1,9}$", text) else None


def parse_attempt(trial_dir_name, trial_id):
    """attempt n from the trial directory name <trialId>[.attempt-<n>]."""
    m = re.match(r"^%s\.attempt-(\d+)$" % re.escape(trial_id),
                 trial_dir_name)
    return int(m.group(1)) if m else 0


def nni_importable():
    try:
        return importlib.util.find_spec("nni") is not None
    except (ImportError, ValueError):
        return False


def flush_seconds(env, log):
    value = env.get("TSHOST_METRICS_FLUSH_SECONDS", "").strip()
    if not value:
        return DEFAULT_FLUSH_SECONDS
    try:
        seconds = float(value)
        if seconds == seconds:
            return min(max(seconds, 0.0), 24 * 3600.0)
    except ValueError:
        pass
    log("ignoring TSHOST_METRICS_FLUSH_SECONDS=%r" % value)
    return DEFAULT_FLUSH_SECONDS


class Agent:
    def __init__(self, args, command, env):
        self.args = args
        self.command = command
        self.env = env
        self.log = Log()
        self.child = None
        self.child_done = False
        self.pending_signals = []
        self.stop_requested = False
        self.skipped = 0
        self.journal = None
        self.sender = None

    def run(self):
        log = self.log
        env = self.env
        sys_dir = env.get("NNI_SYS_DIR", "")
        trial_id = env.get("NNI_TRIAL_JOB_ID", "")
        if not sys_dir or not trial_id:
            log("NNI_SYS_DIR and NNI_TRIAL_JOB_ID must be set")
            return 2
        role = self.args.role
        replica, warnings = resolve_replica(role, self.args.replica, env)
        for warning in warnings:
            log(warning)
        for what, name in (("role", role), ("replica", replica),
                           ("primary replica", self.args.primary_replica)):
            if not NAME_RE.match(name):
                log("invalid %s name %r" % (what, name))
                return 2
        primary = replica == self.args.primary_replica

        sys_dir = os.path.abspath(sys_dir)
        trial_dir_name = os.path.basename(os.path.normpath(sys_dir))
        attempt = parse_attempt(trial_dir_name, trial_id)
        out_dir = os.path.join(sys_dir, "output", replica)
        metrics_dir = os.path.join(sys_dir, ".tshost", "metrics")
        changed_dir = os.path.join(os.path.dirname(os.path.normpath(sys_dir)),
                                   ".tshost", "changed")
        for directory in (out_dir, metrics_dir, changed_dir):
            try:
                os.makedirs(directory, exist_ok=True)
            except OSError as e:
                log("cannot create %s (%s)" % (directory, e))
        out_files = [self._open_output(os.path.join(out_dir, name))
                     for name in ("stdout", "stderr")]
        self.journal = Journal(
            os.path.join(metrics_dir, replica + ".jsonl"),
            os.path.join(changed_dir, "%s.%s" % (trial_dir_name, replica)),
            primary, log)

        self._start_sender(trial_id, attempt, replica, primary)

        for signum in FORWARDED_SIGNALS:
            signal.signal(signum, self._on_signal)
        try:
            child = subprocess.Popen(self.command, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE,
                                     env=self._child_env(out_dir),
                                     start_new_session=True)
        except OSError as e:
            log("cannot run %r: %s" % (self.command[0], e))
            return 127 if isinstance(e, FileNotFoundError) else 126
        self.child = child
        for signum in self.pending_signals:
            self._forward(signum)

        readers = [
            threading.Thread(target=self._pump, name="tshost-stdout",
                             args=(child.stdout, out_files[0],
                                   log.echo_stdout, MetricScanner()),
                             daemon=True),
            threading.Thread(target=self._pump, name="tshost-stderr",
                             args=(child.stderr, out_files[1],
                                   log.echo_stderr, None),
                             daemon=True)]
        for reader in readers:
            reader.start()

        returncode = child.wait()
        self.child_done = True
        code = 128 - returncode if returncode < 0 else returncode
        self._flush(readers, code, flush_seconds(env, log))
        self._summary()
        return code

    def _start_sender(self, trial_id, attempt, replica, primary):
        url = self.env.get("TSHOST_METRICS_URL", "").strip()
        token = self.env.get("TSHOST_METRICS_TOKEN", "")
        if not url:
            return  # storage-only mode
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.log("TSHOST_METRICS_URL %r is not an http(s) URL; metrics "
                     "stay in the metrics file" % url)
        elif not token:
            self.log("TSHOST_METRICS_TOKEN is not set; metrics stay in the "
                     "metrics file")
        else:
            ssl_context = None
            if parts.scheme == "https":
                agent_dir = os.path.dirname(os.path.abspath(__file__))
                try:
                    ssl_context, trusted = metrics_tls_context(agent_dir)
                except (ImportError, OSError, ValueError) as e:
                    self.log("cannot set up TLS for %s (%s); metrics stay in "
                             "the metrics file" % (url, e))
                    return
                self.log("metrics go to %s, verified against %s"
                         % (url, trusted))
            self.sender = Sender(url, token, trial_id, attempt, replica,
                                 primary, self.log, ssl_context)
            self.sender.start()

    def _child_env(self, out_dir):
        env = dict(self.env)
        env["NNI_OUTPUT_DIR"] = out_dir
        env.pop("TSHOST_METRICS_TOKEN", None)
        if not nni_importable():
            shim = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "nni_shim")
            old = env.get("PYTHONPATH", "")
            env["PYTHONPATH"] = shim + (os.pathsep + old if old else "")
        return env

    def _flush(self, readers, code, flush):
        """After the command's exit: the rest of its output, then the push
        queue, all within the flush window."""
        deadline = time.monotonic() + flush
        for reader in readers:
            self._join(reader, deadline)
            if reader.is_alive():
                self.log("%s of the command is still open (a background "
                         "process?); not waiting for it" % reader.name[7:])
        if self.sender is None:
            return
        left = self.sender.pending()
        if left:
            self.log("the command exited with code %d; delivering %d "
                     "record(s) for up to %g s" % (code, left, flush))
        self.sender.finish(deadline)
        self._join(self.sender, deadline)
        self.sender.stop()

    def _open_output(self, path):
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                           0o644)
        except OSError as e:
            self.log("cannot open %s (%s)" % (path, e))
            return None

    def _join(self, thread, deadline):
        # Short slices so that a signal received meanwhile (see _on_signal)
        # ends the flush from the main thread rather than in the handler.
        while thread.is_alive() and not self.stop_requested:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            thread.join(min(remaining, 0.1))

    def _on_signal(self, signum, frame):
        if self.child is None:
            self.pending_signals.append(signum)
            return
        if self.child_done:
            # Being stopped while flushing: the metrics file has everything.
            self.stop_requested = True
        self._forward(signum)

    def _forward(self, signum):
        try:
            os.killpg(self.child.pid, signum)
        except OSError:
            pass

    def _pump(self, stream, out_fd, echo, scanner):
        fd = stream.fileno()
        try:
            while True:
                try:
                    data = os.read(fd, READ_CHUNK)
                except OSError as e:
                    self.log("reading the command's output failed: %s" % e)
                    break
                if not data:
                    break
                if out_fd is not None:
                    out_fd = self._copy(out_fd, data)
                echo(data)
                if scanner is not None:
                    self._records(scanner.feed(data))
            if scanner is not None:
                self._records(scanner.finish())
        finally:
            stream.close()
            if out_fd is not None:
                os.close(out_fd)

    def _copy(self, out_fd, data):
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(out_fd, view):]
            return out_fd
        except OSError as e:
            self.log("writing the command's output to the share failed (%s);"
                     " stopped copying it" % e)
            os.close(out_fd)
            return None

    def _records(self, events):
        datas = []
        for line, record, reason in events:
            if record is not None:
                try:
                    datas.append(record.decode("utf-8"))
                    continue
                except UnicodeDecodeError:
                    reason = "metric record is not valid UTF-8"
            self.skipped += 1
            if self.skipped <= MAX_REPORTED_SKIPS:
                self.log("stdout line %d: %s; skipped" % (line, reason))
            if self.skipped == MAX_REPORTED_SKIPS:
                self.log("further skipped metric lines are only counted")
        if datas:
            records = self.journal.append(datas)
            if self.sender is not None:
                self.sender.enqueue(records)

    def _summary(self):
        log = self.log
        if self.skipped:
            log("%d metric line(s) skipped" % self.skipped)
        sender = self.sender
        if sender is not None:
            left = sender.pending()
            if left or sender.dropped or sender.evicted:
                log("pushed %d record(s); %d not pushed (in %s, for the host "
                    "to reconcile)" % (sender.delivered,
                                       left + sender.dropped + sender.evicted,
                                       self.journal.path))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--" in argv:
        split = argv.index("--")
        options, command = argv[:split], argv[split + 1:]
    else:
        options, command = argv, []
    parser = argparse.ArgumentParser(
        prog="tshost_agent.py",
        usage="%(prog)s --role ROLE --primary-replica NAME [--replica NAME]"
              " -- COMMAND [ARG...]",
        description="Runs one replica of a trial; keeps its output and "
                    "metrics on the share and pushes the metrics to tshost.")
    parser.add_argument("--role", required=True)
    parser.add_argument("--primary-replica", required=True)
    parser.add_argument("--replica")
    args = parser.parse_args(options)
    if not command:
        parser.error("the command to run is missing after --")
    code = Agent(args, command, os.environ).run()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    # os._exit: daemon threads may still be blocked on a pipe held open by a
    # background process, or on a request; interpreter shutdown must not
    # wait for them or trip over their locks.
    os._exit(code)


if __name__ == "__main__":
    main()
