"""The agent's metric-line scanner, fed directly: record boundaries, the size
limit, broken lines and bounded memory."""

import unittest

from agent_testlib import load_agent_module

agent = load_agent_module()
LIMIT = agent.MAX_RECORD_BYTES


def scan(data, chunk=None):
    """(records, skip reasons) for data fed in chunks of `chunk` bytes."""
    scanner = agent.MetricScanner()
    events = []
    step = chunk or max(len(data), 1)
    for i in range(0, len(data), step):
        events += scanner.feed(data[i:i + step])
    events += scanner.finish()
    records = [e[1] for e in events if e[1] is not None]
    skips = [(e[0], e[2]) for e in events if e[1] is None]
    return records, skips


class ScannerTest(unittest.TestCase):
    def test_record_ends_at_the_last_quote_of_the_line(self):
        line = (b"NNISDK_MEb'{\"value\": \"{\\\"note\\\": \\\"it's\\\"}\"}'"
                b"\n")
        self.assertEqual(scan(line)[0],
                         [b"{\"value\": \"{\\\"note\\\": \\\"it's\\\"}\"}"])

    def test_text_around_the_marker_is_not_part_of_the_record(self):
        data = b"[12:00] INFO NNISDK_MEb'{\"a\": 1}'  \r\nplain line\n"
        self.assertEqual(scan(data), ([b'{"a": 1}'], []))

    def test_lines_without_the_marker_are_ignored(self):
        data = b"epoch 1\nloss 'x'\nNNISDK_ME no quote\n" * 10
        self.assertEqual(scan(data), ([], []))

    def test_unicode_bytes_pass_through(self):
        record = '{"v": "h\u00e9llo \u540d\u524d \U0001f389"}'.encode()
        self.assertEqual(scan(b"NNISDK_MEb'" + record + b"'\n")[0], [record])

    def test_every_chunking_gives_the_same_records(self):
        data = (b"x NNISDK_MEb'{\"a\": 1}'\nNNISDK_MEb'{\"b\": \"'\"}'\n"
                b"NNISDK_MEb'no end\nNNISDK_MEb'{\"c\": 3}' tail")
        expected = scan(data)
        self.assertEqual(expected[0],
                         [b'{"a": 1}', b'{"b": "\'"}', b'{"c": 3}'])
        for chunk in (1, 2, 3, 5, 7, 11):
            self.assertEqual(scan(data, chunk), expected, chunk)

    def test_record_of_999999_bytes(self):
        record = b'{"v": "' + b"x" * (999999 - 9) + b'"}'
        self.assertEqual(len(record), 999999)
        records, skips = scan(b"NNISDK_MEb'" + record + b"'\n", 65536)
        self.assertEqual((records, skips), ([record], []))

    def test_limit_is_inclusive_and_one_more_byte_is_skipped(self):
        exact = b"y" * LIMIT
        over = b"z" * (LIMIT + 1)
        data = (b"NNISDK_MEb'" + exact + b"'\nNNISDK_MEb'" + over + b"'\n"
                b"NNISDK_MEb'ok'\n")
        records, skips = scan(data, 65536)
        self.assertEqual(records, [exact, b"ok"])
        self.assertEqual(len(skips), 1)
        self.assertEqual(skips[0][0], 2)
        self.assertIn("longer than 1000000 bytes", skips[0][1])

    def test_long_tail_without_quote_after_the_record_is_fine(self):
        data = b"NNISDK_MEb'{\"a\": 1}'" + b" " * (3 * LIMIT) + b"\n"
        self.assertEqual(scan(data, 65536), ([b'{"a": 1}'], []))

    def test_unterminated_lines_are_reported_with_their_line_number(self):
        data = b"a\nNNISDK_MEb'{\"a\": 1}\nb\nNNISDK_MEb'{\"b\": 2}'\n"
        records, skips = scan(data)
        self.assertEqual(records, [b'{"b": 2}'])
        self.assertEqual(skips, [(2, "metric line without the closing '")])

    def test_last_line_without_newline_still_counts(self):
        self.assertEqual(scan(b"NNISDK_MEb'{\"a\": 1}'")[0], [b'{"a": 1}'])

    def test_memory_stays_bounded_on_huge_lines(self):
        scanner = agent.MetricScanner()
        block = b"p" * 65536
        for _ in range(200):  # 13 MB of one line without the marker
            scanner.feed(block)
        self.assertLess(len(scanner.tail), len(agent.MARKER))
        scanner.feed(b"NNISDK_MEb'")
        for _ in range(200):  # 13 MB more after it, no quote
            scanner.feed(block)
        self.assertLessEqual(len(scanner.rec), LIMIT + 1)
        scanner.feed(b"'")  # now the record is overlong
        self.assertEqual(len(scanner.rec), 0)
        events = scanner.feed(b"\nNNISDK_MEb'ok'\n")
        self.assertEqual([e[1] for e in events], [None, b"ok"])


if __name__ == "__main__":
    unittest.main()
