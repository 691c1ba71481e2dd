// Incremental parsers for the two ways NNI trial code reports metrics to a local
// platform. Both take the bytes of a growing file in order, piece by piece, and
// yield each complete record with the byte offset where it starts in the file;
// the offset is what makes a record's identity stable across host restarts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace local_platform {

/// NNI caps one metric record at 1,000,000 bytes.
inline constexpr size_t kMaxRecordBytes = 1'000'000;

/// One result of scanning: a record's text, or why the bytes at `offset` were skipped.
struct ScanItem {
    uint64_t offset = 0;  // of the record's first byte (its line, or its "ME" header)
    std::string record;   // the NNI metric record text, when `problem` is empty
    std::string problem;  // non-empty: nothing usable here, and this says why
};

/// stdout lines `NNISDK_MEb'<record>'` (NNI's stdout channel, nni-protocol.md §7.6).
/// The record is everything between the first `NNISDK_MEb'` and the last `'` of the
/// line, since the JSON may itself contain quotes. Other lines are ordinary output.
class StdoutScanner {
  public:
    void feed(std::string_view bytes, std::vector<ScanItem>& out);
    /// The stream ended: an unterminated last line counts as a line.
    void finish(std::vector<ScanItem>& out);

  private:
    void take_line(std::string_view line, uint64_t offset, std::vector<ScanItem>& out) const;
    void end_line(std::vector<ScanItem>& out);

    std::string line_;          // the unterminated line so far
    uint64_t line_offset_ = 0;  // where line_ starts in the file
    uint64_t offset_ = 0;       // bytes fed so far
    bool overlong_ = false;     // line_ outgrew any record: dropping until '\n'
    bool overlong_metric_ = false;
};

/// `.nni/metrics` of NNI's legacy file channel (nni-protocol.md §7.5): records
/// framed as "ME", the payload's byte length in 6 decimal digits, then the payload
/// (the record's JSON and a "\n").
class MetricFileScanner {
  public:
    void feed(std::string_view bytes, std::vector<ScanItem>& out);
    /// The file is complete: a partial record at its end is reported.
    void finish(std::vector<ScanItem>& out);

  private:
    std::string pending_;          // bytes not yet consumed
    uint64_t pending_offset_ = 0;  // where pending_ starts in the file
    bool resyncing_ = false;       // skipping bytes after a bad header (reported once)
};

/// Whether a record's text should reach the host.
enum class RecordKind {
    metric,             // a JSON object: forward it
    parameter_request,  // the SDK asking for parameter.cfg: never a metric (§7.5)
    malformed,
};
RecordKind classify_record(std::string_view record);

}  // namespace local_platform
