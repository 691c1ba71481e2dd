#include "storage/nniignore.hpp"

#include <fnmatch.h>

namespace tshost::storage {
namespace {

std::vector<std::string> split(std::string_view path) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t end = std::min(path.find('/', start), path.size());
        if (end > start) {
            parts.emplace_back(path.substr(start, end - start));
        }
        start = end + 1;
    }
    return parts;
}

// Trailing spaces end a pattern unless escaped with a backslash (gitignore).
std::string_view trim_trailing_spaces(std::string_view line) {
    while (!line.empty() && line.back() == ' ' &&
           !(line.size() >= 2 && line[line.size() - 2] == '\\')) {
        line.remove_suffix(1);
    }
    return line;
}

// Segment-wise glob match: fnmatch per segment, "**" for zero or more segments.
// Recursion depth is bounded by the number of segments of pattern plus path.
bool match(const std::vector<std::string>& pat, size_t pi, const std::vector<std::string>& path,
           size_t si) {
    if (pi == pat.size()) {
        return si == path.size();
    }
    if (pat[pi] == "**") {
        for (size_t k = si; k <= path.size(); ++k) {
            if (match(pat, pi + 1, path, k))
                return true;
        }
        return false;
    }
    return si < path.size() && ::fnmatch(pat[pi].c_str(), path[si].c_str(), 0) == 0 &&
           match(pat, pi + 1, path, si + 1);
}

}  // namespace

void IgnoreRules::add(std::string_view text) {
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        line = trim_trailing_spaces(line);
        if (line.empty() || line.front() == '#')
            continue;
        Pattern p;
        if (line.front() == '!') {
            p.negate = true;
            line.remove_prefix(1);
        } else if (line.front() == '\\' && line.size() > 1 && (line[1] == '#' || line[1] == '!')) {
            line.remove_prefix(1);  // "\#x" and "\!x" are literal
        }
        if (!line.empty() && line.back() == '/') {
            p.dir_only = true;
            line.remove_suffix(1);
        }
        // A slash at the start or in the middle anchors the pattern to the root;
        // otherwise it matches a name at any depth.
        const bool anchored = line.find('/') != std::string_view::npos;
        p.segments = split(line);
        if (p.segments.empty())
            continue;
        if (!anchored) {
            p.segments.insert(p.segments.begin(), "**");
        }
        patterns_.push_back(std::move(p));
    }
}

bool IgnoreRules::ignored(std::string_view rel_path, bool is_dir) const {
    const std::vector<std::string> path = split(rel_path);
    bool result = false;
    for (const Pattern& p : patterns_) {
        if ((p.dir_only && !is_dir) || p.negate != result) {
            continue;  // cannot change the outcome
        }
        if (match(p.segments, 0, path, 0)) {
            result = !p.negate;
        }
    }
    return result;
}

}  // namespace tshost::storage
