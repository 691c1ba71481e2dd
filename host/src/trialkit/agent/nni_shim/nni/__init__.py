"""Minimal ``nni`` trial API for images without NNI (tshost trial kit).

The tshost trial agent puts the directory above this package on PYTHONPATH
only when ``import nni`` fails for its interpreter, so NNI's own SDK always
wins where it is installed.

What it reproduces of NNI's trial SDK (nni/trial.py and the legacy
local/stdout channel, nni-protocol.md §3.4, §3.5, §7; nni-kubernetes.md §6.4,
§6.5): the parameter comes from ``$NNI_SYS_DIR/parameter.cfg``; a metric
record is ``{"parameter_id", "trial_job_id", "type", "sequence", "value"}``
dumped like ``nni.dump`` (json_tricks, i.e. the json module's defaults:
", " and ": " separators, ASCII escapes, NaN allowed) with ``value`` dumped
first and then dumped again inside the record.  Records are printed as
``NNISDK_MEb'<record>'`` unless NNI_PLATFORM is ``local`` without REUSE_MODE,
where NNI appends ``ME<6-digit length><record>\\n`` to
``$NNI_SYS_DIR/.nni/metrics`` instead.  With NNI_PLATFORM unset (or
``unittest``) the trial runs standalone: empty parameters, metrics only
logged.
"""

import json
import logging
import os
import time

__all__ = [
    "get_next_parameter", "get_current_parameter",
    "report_intermediate_result", "report_final_result",
    "get_experiment_id", "get_trial_id", "get_sequence_id",
]

__version__ = "0.0.0+tshost.shim"

_logger = logging.getLogger("nni")

# NNI reads its trial environment once, at import (nni/runtime/env_vars.py).
_PLATFORM = os.environ.get("NNI_PLATFORM")
_SYS_DIR = os.environ.get("NNI_SYS_DIR")
_TRIAL_JOB_ID = os.environ.get("NNI_TRIAL_JOB_ID")
_MULTI_PHASE = os.environ.get("MULTI_PHASE") in ("true", "True")
_REUSE_MODE = os.environ.get("REUSE_MODE") in ("true", "True")
_STANDALONE = _PLATFORM is None or _PLATFORM == "unittest"

_experiment_id = os.environ.get("NNI_EXP_ID") or "STANDALONE"
_trial_id = _TRIAL_JOB_ID or "STANDALONE"
_sequence_id = (int(os.environ["NNI_TRIAL_SEQ_ID"])
                if os.environ.get("NNI_TRIAL_SEQ_ID") is not None else 0)

_METRIC_LIMIT = 1000000
_POLL_SECONDS = 3

_params = None
_param_index = 0
_intermediate_seq = 0
_metric_file = None


def _encode_other(obj):
    # json_tricks encodes numpy scalars as obj.item().
    item = getattr(obj, "item", None)
    if callable(item):
        return item()
    raise TypeError("%r is not JSON serializable" % (obj,))


def _dump(obj):
    return json.dumps(obj, default=_encode_other)


def _send(record):
    if _PLATFORM != "local" or _REUSE_MODE:
        assert len(record) < _METRIC_LIMIT, "Metric too long"
        print("NNISDK_MEb'%s'" % (record,), flush=True)
        return
    global _metric_file
    data = (record + "\n").encode("utf8")
    assert len(data) < _METRIC_LIMIT, "Metric too long"
    if _metric_file is None:
        directory = os.path.join(_SYS_DIR, ".nni")
        os.makedirs(directory, exist_ok=True)
        _metric_file = open(os.path.join(directory, "metrics"), "ab")
    _metric_file.write(b"ME%06d" % len(data) + data)
    _metric_file.flush()
    os.utime(_metric_file.name, None)


def _send_metric(metric_type, sequence, value):
    if _STANDALONE:
        if metric_type == "FINAL":
            _logger.info("Final result: %s", value)
        else:
            _logger.info("Intermediate result: %s  (Index %s)", value,
                         sequence)
        return
    _send(_dump({
        "parameter_id": _params["parameter_id"] if _params else None,
        "trial_job_id": _TRIAL_JOB_ID,
        "type": metric_type,
        "sequence": sequence,
        "value": _dump(value),
    }))


def _receive_parameter():
    global _param_index
    if _STANDALONE:
        return {"parameter_id": None, "parameters": {}}
    if _MULTI_PHASE and _param_index > 0:
        name = "parameter_%d.cfg" % _param_index
    elif _param_index == 0:
        name = "parameter.cfg"
    else:
        return None
    path = os.path.join(_SYS_DIR, name)
    if not os.path.isfile(path):
        _send(_dump({
            "trial_job_id": _TRIAL_JOB_ID,
            "type": "REQUEST_PARAMETER",
            "sequence": 0,
            "parameter_index": _param_index,
        }))
    while not (os.path.isfile(path) and os.path.getsize(path) > 0):
        time.sleep(_POLL_SECONDS)
    with open(path, "r", encoding="utf-8") as f:
        params = json.load(f)
    _param_index += 1
    assert isinstance(params, dict) and "parameters" in params
    return params


def get_next_parameter():
    """The trial's hyper-parameters; None when there are no more (a second
    call without multi-phase)."""
    global _params
    params = _receive_parameter()
    if params is None:
        return None
    _params = params
    return params["parameters"]


def get_current_parameter(tag=None):
    if _params is None:
        return None
    if tag is None:
        return _params["parameters"]
    return _params["parameters"][tag]


def report_intermediate_result(metric):
    """PERIODICAL record; sequence 0, 1, 2, ... per process."""
    global _intermediate_seq
    assert _params or _PLATFORM is None, \
        "nni.get_next_parameter() needs to be called before " \
        "report_intermediate_result"
    _send_metric("PERIODICAL", _intermediate_seq, metric)
    _intermediate_seq += 1


def report_final_result(metric):
    """FINAL record, sequence 0."""
    assert _params or _PLATFORM is None, \
        "nni.get_next_parameter() needs to be called before " \
        "report_final_result"
    _send_metric("FINAL", 0, metric)


def get_experiment_id():
    return _experiment_id


def get_trial_id():
    return _trial_id


def get_sequence_id():
    return _sequence_id
