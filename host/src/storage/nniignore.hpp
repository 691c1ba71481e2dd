// .nniignore rules, matched the way NNI applies them (listDirWithIgnoredFiles):
// gitignore syntax; every .nniignore from the code directory down to a folder
// applies inside that folder; paths are matched relative to the code directory
// root; an ignored folder is not entered (so nothing under it can be re-included).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tshost::storage {

class IgnoreRules {
  public:
    /// Appends the patterns of one .nniignore file (its text).
    void add(std::string_view text);
    /// Whether `rel_path` ('/'-separated, relative to the code root) is ignored.
    /// The last matching pattern decides; "!" patterns re-include.
    bool ignored(std::string_view rel_path, bool is_dir) const;
    bool empty() const noexcept { return patterns_.empty(); }

  private:
    struct Pattern {
        std::vector<std::string> segments;  // "**" matches any number of segments
        bool negate = false;
        bool dir_only = false;
    };
    std::vector<Pattern> patterns_;
};

}  // namespace tshost::storage
