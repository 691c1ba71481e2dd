// Key spelling: NNI v2 treats keys case- and underscore-insensitively (memory_size, memorySize
// and MEMORYSIZE are one key); unknown keys get a "did you mean" from edit distance.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "jsonschema/edit_distance.hpp"

namespace tshost::config {

/// The keys one config section knows, in canonical camelCase, plus other spellings that
/// mean the same key (e.g. FrameworkController's minSucceededTaskCount).
struct KeySet {
    std::span<const std::string_view> names;
    std::span<const std::pair<std::string_view, std::string_view>> aliases = {};  // alias → name
    /// Keys from the other config version, for a hint only (v1 maxExecDuration in a v2 file).
    std::span<const std::pair<std::string_view, std::string_view>> renamed = {};  // old → hint
};

/// Lower-cased, without '_' and '-'.
std::string normalize_key(std::string_view key);
using jsonschema::edit_distance;
/// The canonical name `key` stands for in `keys`, or "" if none.
std::string_view canonical_key(std::string_view key, const KeySet& keys);
/// The known key closest to a misspelled one, or "" when none is close enough to suggest.
std::string_view closest_key(std::string_view key, const KeySet& keys);

}  // namespace tshost::config
