"""Test trial: runs the steps of a JSON spec, keeping a copy of the exact
bytes it wrote to stdout, then exits with the given code.

Spec: {"steps": [step, ...], "copy": path, "exit": code}, where a step is
{"out": [item, ...]} (stdout, flushed after each item), {"err": [str, ...]}
or {"wait_for": path} (returns when the file exists; gives up after 30 s).
An item is a str (written as UTF-8 plus a newline) or an object
{"prefix", "fill", "count", "suffix", "hex", "newline"}.
"""

import json
import os
import sys
import time


def item_bytes(item):
    if isinstance(item, str):
        return item.encode("utf-8") + b"\n"
    data = (item.get("prefix", "").encode("utf-8")
            + item.get("fill", "").encode("utf-8") * item.get("count", 0)
            + item.get("suffix", "").encode("utf-8")
            + bytes.fromhex(item.get("hex", "")))
    return data + (b"\n" if item.get("newline", True) else b"")


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    copy = open(spec["copy"], "wb") if spec.get("copy") else None
    for step in spec.get("steps", []):
        for item in step.get("out", []):
            data = item_bytes(item)
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            if copy is not None:
                copy.write(data)
                copy.flush()
        for line in step.get("err", []):
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
        if "wait_for" in step:
            deadline = time.monotonic() + 30
            while (not os.path.exists(step["wait_for"])
                   and time.monotonic() < deadline):
                time.sleep(0.01)
    if copy is not None:
        copy.close()
    sys.exit(spec.get("exit", 0))


if __name__ == "__main__":
    main()
