// The state of one load: the document being turned into the model, its source map, the base
// directory for relative paths, and the diagnostics found so far. Readers check a value's
// type and range, report at the right line, and return nullopt when the value is unusable,
// so a load carries on and reports every problem.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/diagnostic.hpp"
#include "config/keys.hpp"
#include "config/source_map.hpp"

namespace tshost::config {

/// How a value reads in a message: "four" (quoted), 0, true, null, a list, a mapping.
std::string describe(const nlohmann::json& value);

class Context {
  public:
    Context(nlohmann::json& doc, SourceMap& map, std::filesystem::path base_dir);

    nlohmann::json& doc;
    SourceMap& map;
    const std::filesystem::path base_dir;
    std::vector<Diagnostic> errors;
    std::vector<Diagnostic> warnings;

    /// The value at `pointer`; nullptr when absent. A null value counts as absent, as in NNI.
    nlohmann::json* find(std::string_view pointer);
    bool has(std::string_view pointer) { return find(pointer) != nullptr; }
    /// Sets a value, creating parent objects; `where` becomes its source entry.
    void set(std::string_view pointer, nlohmann::json value, SourceEntry where);
    /// Moves a value and its source entries; a null source is just removed. Returns whether
    /// there was a value to move.
    bool move(std::string_view from, std::string_view to);
    void erase(std::string_view pointer);

    Diagnostic at_key(std::string_view pointer, std::string message, std::string hint = {}) const;
    Diagnostic at_value(std::string_view pointer, std::string message, std::string hint = {}) const;
    void error(Diagnostic d) { errors.push_back(std::move(d)); }
    void warn(Diagnostic d) { warnings.push_back(std::move(d)); }
    /// "required key is missing", reported at the enclosing key.
    void missing(std::string_view pointer, std::string hint);

    /// Renames the object's keys to their canonical spelling. With `strict`, a key not in
    /// `keys` is an error with a "did you mean" and is removed; otherwise it is left for a
    /// plugin schema.
    void canonicalize(std::string_view object_pointer, const KeySet& keys, bool strict);

    /// Typed readers: nullopt when absent, or after reporting a wrong type or range.
    const nlohmann::json* object(std::string_view pointer);
    std::optional<std::string> string(std::string_view pointer);
    std::optional<bool> boolean(std::string_view pointer);
    std::optional<std::int64_t> integer(std::string_view pointer, std::int64_t min,
                                        std::int64_t max);
    std::optional<double> number(std::string_view pointer, double min);
    /// A positive duration: seconds, or a string with a unit.
    std::optional<std::chrono::seconds> duration(std::string_view pointer);
    /// Rewrites a memory size in place as integer MB.
    void normalize_memory(std::string_view pointer);

    enum class PathKind { Any, File, Directory };
    /// A path resolved against the config's directory ('~' expanded); checks that it exists
    /// as `kind` says. Rewrites the value in place as the absolute path.
    std::optional<std::string> path(std::string_view pointer, PathKind kind);
    std::string resolve(std::string_view path) const;

    /// Reads the YAML or JSON file `file`, which the value at `named_by` names, into the
    /// document at `pointer`, with the file's own lines in the source map (key paths start with
    /// `key_prefix`) and the value as a whole located at `named_by`. Reports (and returns
    /// nullptr) a file that cannot be read or parsed, or whose content is not a mapping:
    /// `not_mapping` says what it must hold, `hint` gives an example.
    const nlohmann::json* include_mapping(std::string_view named_by, const std::string& file,
                                          std::string_view pointer, const std::string& key_prefix,
                                          const std::string& not_mapping, const std::string& hint);
};

}  // namespace tshost::config
