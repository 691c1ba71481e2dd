// Where each value of a loaded config came from, keyed by JSON pointer (RFC 6901) into the
// normalised (NNI v2 shaped) model. A legacy v1 config keeps pointing at its own lines and
// its own key names after conversion, and a search space loaded from searchSpaceFile points
// into that file.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "config/diagnostic.hpp"

namespace tshost::config {

struct SourceEntry {
    SourceLocation key;    ///< the key of an object member; unknown for array elements
    SourceLocation value;  ///< the value
    std::string key_path;  ///< how the user spelled it, e.g. trial.worker.memoryMB
};

class SourceMap {
  public:
    void set(std::string pointer, SourceEntry entry);
    const SourceEntry* find(std::string_view pointer) const;

    /// The key's location (the value's for array elements), or the nearest recorded ancestor's.
    SourceLocation key_location(std::string_view pointer) const;
    /// The value's location, falling back as key_location does.
    SourceLocation value_location(std::string_view pointer) const;
    /// The recorded key path, or one derived from the nearest recorded ancestor.
    std::string key_path(std::string_view pointer) const;

    /// Copies every entry at or below `from` in `source` to the same place below `to`.
    void copy_subtree(const SourceMap& source, std::string_view from, std::string_view to);
    /// Re-keys every entry at or below `from` to below `to` (entries keep their key paths).
    void move_subtree(std::string_view from, std::string_view to);
    void erase_subtree(std::string_view pointer);

    std::size_t size() const { return entries_.size(); }

  private:
    template <class F>
    void for_subtree(std::string_view pointer, F&& visit) const;

    std::map<std::string, SourceEntry, std::less<>> entries_;
};

/// `pointer` + "/" + escaped `key`.
std::string pointer_append(std::string_view pointer, std::string_view key);
std::string pointer_append(std::string_view pointer, std::size_t index);
/// The pointer without its last token ("" for the root and its children).
std::string pointer_parent(std::string_view pointer);
/// The unescaped last token.
std::string pointer_last(std::string_view pointer);
/// "a.b[0].c" or a.b["odd.key"] → "/a/b/0/c"; a string starting with '/' is returned as is.
std::string pointer_from_key_path(std::string_view key_path);
/// `path` + ".key", or + "[\"key\"]" when the key is not a plain identifier.
std::string key_path_append(std::string_view path, std::string_view key);
std::string key_path_append(std::string_view path, std::size_t index);

}  // namespace tshost::config
