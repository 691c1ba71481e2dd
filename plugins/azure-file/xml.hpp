// The small subset of XML the File service returns: error bodies and List
// Directories and Files pages. Elements are found by name; no attributes, no
// namespaces, no nesting of same-named elements, which is all these bodies use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tshost::azure {

/// Unescaped text of the first <name>…</name> (or "" when absent or empty).
std::string xml_element_text(std::string_view xml, std::string_view name);
/// Replaces the five predefined entities and numeric character references.
std::string xml_unescape(std::string_view text);

struct ListEntry {
    std::string name;
    bool directory = false;
    uint64_t size = 0;
    int64_t mtime_ms = 0;  // 0 when the service did not send LastModified
};

struct ListPage {
    std::vector<ListEntry> entries;
    std::string next_marker;  // "" on the last page
};

/// Parses one EnumerationResults page of List Directories and Files.
ListPage parse_list_page(std::string_view xml);

}  // namespace tshost::azure
