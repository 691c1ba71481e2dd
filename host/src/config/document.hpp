// Reading a YAML or JSON file into JSON plus a source map (JSON is YAML, so one parser with
// line/column marks serves both). yaml-cpp stays behind this header.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/diagnostic.hpp"
#include "config/source_map.hpp"

namespace tshost::config {

struct Document {
    nlohmann::json value;
    SourceMap map;  ///< pointers relative to `value`
};

/// Parses one YAML (or JSON) document. Scalars resolve as PyYAML does for NNI configs (yes/no
/// and on/off are booleans too); quoted scalars stay strings. Key paths in the map start with
/// `key_prefix`. On failure appends diagnostics (syntax errors, duplicate keys, non-scalar
/// keys, invalid UTF-8, excessive nesting) and returns nullopt.
std::optional<Document> parse_document(std::string_view text, const std::string& file,
                                       const std::string& key_prefix,
                                       std::vector<Diagnostic>& errors);

/// Reads and parses a file. `referenced_from` is where a failure to open it is reported
/// (the searchSpaceFile value, say); by default the file itself.
std::optional<Document> read_document(const std::filesystem::path& file,
                                      const std::string& key_prefix,
                                      std::vector<Diagnostic>& errors,
                                      const Diagnostic& referenced_from = {});

}  // namespace tshost::config
