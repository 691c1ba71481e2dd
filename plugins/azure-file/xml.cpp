#include "xml.hpp"

#include <charconv>

#include "http_date.hpp"

namespace tshost::azure {
namespace {

// The content of the first <name>…</name> at or after `from`, and where it ends.
// An empty element (<name/>) has empty content.
struct Found {
    std::string_view content;
    size_t end = std::string_view::npos;
};

Found find_element(std::string_view xml, std::string_view name, size_t from = 0) {
    const std::string open = "<" + std::string(name);
    for (size_t at = xml.find(open, from); at != std::string_view::npos;
         at = xml.find(open, at + 1)) {
        const size_t after = at + open.size();
        if (after >= xml.size()) {
            break;
        }
        if (xml.compare(after, 2, "/>") == 0) {
            return {std::string_view(), after + 2};
        }
        if (xml[after] != '>' && xml[after] != ' ') {
            continue;  // a longer name with the same prefix
        }
        const size_t start = xml.find('>', after);
        const std::string close = "</" + std::string(name) + ">";
        const size_t stop = start == std::string_view::npos ? start : xml.find(close, start);
        if (stop == std::string_view::npos) {
            break;
        }
        return {xml.substr(start + 1, stop - start - 1), stop + close.size()};
    }
    return {};
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

}  // namespace

std::string xml_unescape(std::string_view text) {
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    std::string out;
    for (size_t i = 0; i < text.size();) {
        if (text[i] != '&') {
            out += text[i++];
            continue;
        }
        bool matched = false;
        for (const auto& [entity, ch] : kEntities) {
            if (text.compare(i, entity.size(), entity) == 0) {
                out += ch;
                i += entity.size();
                matched = true;
                break;
            }
        }
        const size_t semi = text.find(';', i);
        if (!matched && text.compare(i, 2, "&#") == 0 && semi != std::string_view::npos) {
            const bool hex = i + 2 < text.size() && (text[i + 2] == 'x' || text[i + 2] == 'X');
            const char* first = text.data() + i + (hex ? 3 : 2);
            uint32_t cp = 0;
            const auto [ptr, ec] = std::from_chars(first, text.data() + semi, cp, hex ? 16 : 10);
            if (ec == std::errc() && ptr == text.data() + semi && cp <= 0x10FFFF) {
                append_utf8(out, cp);
                i = semi + 1;
                matched = true;
            }
        }
        if (!matched) {
            out += text[i++];
        }
    }
    return out;
}

std::string xml_element_text(std::string_view xml, std::string_view name) {
    return xml_unescape(find_element(xml, name).content);
}

ListPage parse_list_page(std::string_view xml) {
    ListPage page;
    page.next_marker = xml_element_text(xml, "NextMarker");
    const std::string_view entries = find_element(xml, "Entries").content;
    for (size_t at = 0; at < entries.size();) {
        const size_t file = entries.find("<File>", at);
        const size_t dir = entries.find("<Directory>", at);
        if (file == std::string_view::npos && dir == std::string_view::npos) {
            break;
        }
        const bool is_dir = dir < file;
        const Found item =
            find_element(entries, is_dir ? "Directory" : "File", std::min(file, dir));
        if (item.end == std::string_view::npos) {
            break;
        }
        ListEntry entry;
        entry.directory = is_dir;
        entry.name = xml_element_text(item.content, "Name");
        entry.mtime_ms = parse_http_date_ms(xml_element_text(item.content, "LastModified"));
        const std::string size = xml_element_text(item.content, "Content-Length");
        std::from_chars(size.data(), size.data() + size.size(), entry.size);
        page.entries.push_back(std::move(entry));
        at = item.end;
    }
    return page;
}

}  // namespace tshost::azure
