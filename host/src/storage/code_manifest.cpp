#include "storage/code_manifest.hpp"

#include <charconv>
#include <stdexcept>

namespace tshost::storage {
namespace {

constexpr std::string_view kHeader = "# tshost code manifest v1: <sha256> <mode> <size> <path>\n";

bool is_hex_sha256(std::string_view s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string_view next_field(std::string_view& line) {
    const size_t space = line.find(' ');
    const std::string_view field = line.substr(0, space);
    line = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    return field;
}

template <class T>
T parse_number(std::string_view field, int base, std::string_view line) {
    T value{};
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value, base);
    if (ec != std::errc() || end != field.data() + field.size() || field.empty()) {
        throw std::invalid_argument("bad manifest line: " + std::string(line));
    }
    return value;
}

}  // namespace

std::string cas_path(std::string_view sha256) {
    return std::string(kCasRoot) + "/" + std::string(sha256.substr(0, 2)) + "/" +
           std::string(sha256);
}

std::string manifest_path(std::string_view experiment_id) {
    return "nni/" + std::string(experiment_id) + "/code.manifest";
}

std::string format_manifest(const std::vector<ManifestEntry>& entries) {
    std::string text(kHeader);
    char mode[8];
    for (const ManifestEntry& e : entries) {
        if (e.path.empty() || e.path.find('\n') != std::string::npos || e.path.front() == ' ' ||
            e.path.back() == ' ') {
            throw std::invalid_argument("file name cannot be carried by the code manifest: '" +
                                        e.path + "' (newline or leading/trailing space)");
        }
        const auto [end, ec] = std::to_chars(mode, mode + sizeof mode, e.mode, 8);
        text += e.sha256 + " 0" + std::string(mode, end) + " " + std::to_string(e.size) + " " +
                e.path + "\n";
    }
    return text;
}

std::vector<ManifestEntry> parse_manifest(std::string_view text) {
    std::vector<ManifestEntry> entries;
    size_t start = 0;
    while (start < text.size()) {
        const size_t end = std::min(text.find('\n', start), text.size());
        const std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (line.empty() || line.front() == '#')
            continue;
        std::string_view rest = line;
        ManifestEntry e;
        e.sha256 = std::string(next_field(rest));
        e.mode = parse_number<uint32_t>(next_field(rest), 8, line);
        e.size = parse_number<uint64_t>(next_field(rest), 10, line);
        e.path = std::string(rest);
        if (!is_hex_sha256(e.sha256) || e.path.empty()) {
            throw std::invalid_argument("bad manifest line: " + std::string(line));
        }
        entries.push_back(std::move(e));
    }
    return entries;
}

}  // namespace tshost::storage
