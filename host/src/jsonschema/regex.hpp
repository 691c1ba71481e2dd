// ECMAScript regular expressions for "pattern", "patternProperties" and format "regex".
#pragma once

#include <cstddef>
#include <regex>
#include <string>
#include <string_view>

namespace tshost::jsonschema::detail {

// Matches on code points, not bytes, so "." and character classes see whole characters.
// Immutable after construction; search() may run on several threads at once.
class Regex {
  public:
    // Throws std::regex_error for a pattern std::regex does not accept.
    explicit Regex(const std::string& pattern);

    // Whether the pattern matches anywhere in `text` (patterns are not implicitly anchored).
    // False when the search cannot be completed safely: texts longer than
    // kMaxBacktrackingInput for a backtracking pattern, or std::regex giving up.
    bool search(std::string_view text) const;

    // Longest input a backtracking pattern is run on; longer inputs do not match.
    static constexpr std::size_t kMaxBacktrackingInput = 4096;

  private:
    std::wregex regex_;
    bool backtracking_ = false;
};

}  // namespace tshost::jsonschema::detail
