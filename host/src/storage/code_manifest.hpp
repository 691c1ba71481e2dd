// Layout of code on the store, shared by every experiment on the same export:
//
//   nni/.cas/<hh>/<sha256>        one immutable blob per distinct file content
//   nni/<expId>/code.manifest     "<sha256> <mode> <size> <path>" per file
//
// Why content-addressed instead of NNI's nni/<expId>/nni-code copy: a blob's name
// is its hash, so "is it there?" is one stat; unchanged files are never sent again,
// neither when a sync resumes nor in the next experiment. Blobs are written under
// their final name only when complete (the plugin writes temp + rename), so a
// present blob is a whole one. The manifest is written last: it exists only when
// every blob it names does. The path is the last field so that it may hold spaces.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tshost::storage {

inline constexpr std::string_view kCasRoot = "nni/.cas";

struct ManifestEntry {
    std::string sha256;
    uint32_t mode = 0644;
    uint64_t size = 0;
    std::string path;
};

/// "nni/.cas/<first two hex digits>/<sha256>".
std::string cas_path(std::string_view sha256);
/// "nni/<expId>/code.manifest".
std::string manifest_path(std::string_view experiment_id);

/// The manifest text: a comment line, then one line per entry in the given order.
/// Throws std::invalid_argument for a path a line cannot carry (newline, leading
/// or trailing space).
std::string format_manifest(const std::vector<ManifestEntry>& entries);
/// Parses format_manifest's output; throws std::invalid_argument on a bad line.
std::vector<ManifestEntry> parse_manifest(std::string_view text);

}  // namespace tshost::storage
