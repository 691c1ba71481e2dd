#include "jsonschema/regex.hpp"

namespace tshost::jsonschema::detail {
namespace {

std::wstring to_code_points(std::string_view text) {
    std::wstring out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        auto byte = static_cast<unsigned char>(text[i]);
        std::size_t length = byte < 0x80           ? 1
                             : (byte >> 5) == 0x6  ? 2
                             : (byte >> 4) == 0xE  ? 3
                             : (byte >> 3) == 0x1E ? 4
                                                   : 0;
        char32_t point = length == 1   ? byte
                         : length == 2 ? byte & 0x1Fu
                         : length == 3 ? byte & 0x0Fu
                                       : byte & 0x07u;
        bool valid = length != 0 && i + length <= text.size();
        for (std::size_t k = 1; valid && k < length; ++k) {
            auto next = static_cast<unsigned char>(text[i + k]);
            valid = (next & 0xC0) == 0x80;
            point = (point << 6) | (next & 0x3Fu);
        }
        out.push_back(valid ? static_cast<wchar_t>(point) : L'\uFFFD');
        i += valid ? length : 1;
    }
    return out;
}

}  // namespace

Regex::Regex(const std::string& pattern) {
    const std::wstring wide = to_code_points(pattern);
#if defined(__GLIBCXX__)
    // libstdc++'s default executor recurses once per input character and overflows the stack
    // on long strings; its polynomial (NFA) mode does not, but rejects back-references.
    try {
        regex_.assign(wide, std::regex::ECMAScript | std::regex_constants::__polynomial);
        return;
    } catch (const std::regex_error&) {
    }
#endif
    regex_.assign(wide, std::regex::ECMAScript);
    backtracking_ = true;
}

bool Regex::search(std::string_view text) const {
    if (backtracking_ && text.size() > kMaxBacktrackingInput) {
        return false;
    }
    try {
        return std::regex_search(to_code_points(text), regex_);
    } catch (const std::regex_error&) {
        // error_complexity / error_stack: the input cannot be shown to match.
        return false;
    }
}

}  // namespace tshost::jsonschema::detail
