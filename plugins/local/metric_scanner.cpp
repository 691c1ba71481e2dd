#include "metric_scanner.hpp"

#include <nlohmann/json.hpp>

namespace local_platform {

namespace {

constexpr std::string_view kStdoutMarker = "NNISDK_MEb'";
// A metric line may carry text before the marker (a logging prefix), so lines get
// some room beyond the record's own limit before they count as too long.
constexpr size_t kMaxLineBytes = kMaxRecordBytes + 4096;

constexpr size_t kHeaderBytes = 8;  // "ME" + 6 digits

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// A complete header at `pos`, or the start of one cut off by the end of the data.
bool header_at(const std::string& data, size_t pos) {
    if (data.compare(pos, 2, "ME", 0, std::min<size_t>(2, data.size() - pos)) != 0) {
        return false;
    }
    for (size_t i = pos + 2; i < pos + kHeaderBytes && i < data.size(); ++i) {
        if (!is_digit(data[i])) {
            return false;
        }
    }
    return true;
}

size_t find_header(const std::string& data, size_t from) {
    for (size_t pos = from; pos < data.size(); ++pos) {
        if (data[pos] == 'M' && header_at(data, pos)) {
            return pos;
        }
    }
    return std::string::npos;
}

}  // namespace

void StdoutScanner::feed(std::string_view bytes, std::vector<ScanItem>& out) {
    while (!bytes.empty()) {
        const size_t newline = bytes.find('\n');
        const std::string_view piece = bytes.substr(0, newline);
        if (!overlong_) {
            line_.append(piece);
            if (line_.size() > kMaxLineBytes) {
                overlong_ = true;
                overlong_metric_ = line_.find(kStdoutMarker) != std::string::npos;
                std::string().swap(line_);  // release the memory now, not at the newline
            }
        } else if (piece.find(kStdoutMarker) != std::string_view::npos) {
            overlong_metric_ = true;
        }
        offset_ += piece.size();
        if (newline == std::string_view::npos) {
            return;
        }
        end_line(out);
        offset_ += 1;  // the '\n'
        line_offset_ = offset_;
        bytes.remove_prefix(newline + 1);
    }
}

void StdoutScanner::finish(std::vector<ScanItem>& out) {
    end_line(out);
    line_offset_ = offset_;
}

void StdoutScanner::end_line(std::vector<ScanItem>& out) {
    if (overlong_) {
        if (overlong_metric_) {
            out.push_back({line_offset_,
                           {},
                           "a metric line longer than " + std::to_string(kMaxLineBytes) +
                               " bytes was skipped"});
        }
    } else if (!line_.empty()) {
        take_line(line_, line_offset_, out);
    }
    line_.clear();
    overlong_ = overlong_metric_ = false;
}

void StdoutScanner::take_line(std::string_view line, uint64_t offset,
                              std::vector<ScanItem>& out) const {
    if (line.ends_with('\r')) {
        line.remove_suffix(1);
    }
    const size_t marker = line.find(kStdoutMarker);
    if (marker == std::string_view::npos) {
        return;  // ordinary output
    }
    const size_t start = marker + kStdoutMarker.size();
    const size_t end = line.rfind('\'');
    if (end == std::string_view::npos || end < start) {
        out.push_back({offset, {}, "a metric line has no closing quote"});
    } else if (end - start > kMaxRecordBytes) {
        out.push_back({offset,
                       {},
                       "a metric record of " + std::to_string(end - start) +
                           " bytes exceeds the limit of " + std::to_string(kMaxRecordBytes)});
    } else {
        out.push_back({offset, std::string(line.substr(start, end - start)), {}});
    }
}

void MetricFileScanner::feed(std::string_view bytes, std::vector<ScanItem>& out) {
    pending_.append(bytes);
    size_t pos = 0;
    while (pending_.size() - pos >= kHeaderBytes) {
        if (!header_at(pending_, pos)) {
            // The framing is lost (a writer other than NNI's SDK?): report it once and
            // carry on from the next thing that looks like a header.
            if (!resyncing_) {
                out.push_back({pending_offset_ + pos,
                               {},
                               "bytes that are not a record header (\"ME\" and 6 digits) were "
                               "skipped"});
                resyncing_ = true;
            }
            const size_t next = find_header(pending_, pos + 1);
            pos = next != std::string::npos ? next : pending_.size();
            continue;
        }
        resyncing_ = false;
        const size_t length = std::stoul(pending_.substr(pos + 2, 6));
        if (pending_.size() - pos < kHeaderBytes + length) {
            break;  // the rest of the record is still being written
        }
        std::string_view payload(pending_.data() + pos + kHeaderBytes, length);
        while (payload.ends_with('\n') || payload.ends_with('\r')) {
            payload.remove_suffix(1);
        }
        out.push_back({pending_offset_ + pos, std::string(payload), {}});
        pos += kHeaderBytes + length;
    }
    pending_.erase(0, pos);
    pending_offset_ += pos;
}

void MetricFileScanner::finish(std::vector<ScanItem>& out) {
    if (!pending_.empty() && !resyncing_) {
        out.push_back(
            {pending_offset_,
             {},
             "the file ends inside a record (" + std::to_string(pending_.size()) + " bytes)"});
    }
    pending_offset_ += pending_.size();
    pending_.clear();
    resyncing_ = false;
}

RecordKind classify_record(std::string_view record) {
    const auto doc = nlohmann::json::parse(record, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) {
        return RecordKind::malformed;
    }
    const auto type = doc.find("type");
    if (type != doc.end() && *type == "REQUEST_PARAMETER") {
        return RecordKind::parameter_request;
    }
    return RecordKind::metric;
}

}  // namespace local_platform
