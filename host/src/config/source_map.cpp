#include "config/source_map.hpp"

#include <cctype>
#include <vector>

#include <nlohmann/json.hpp>

namespace tshost::config {

namespace {

bool is_index(std::string_view token) {
    if (token.empty()) {
        return false;
    }
    for (char c : token) {
        if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
            return false;
        }
    }
    return true;
}

bool plain_key(std::string_view key) {
    if (key.empty()) {
        return false;
    }
    for (char c : key) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '-') {
            return false;
        }
    }
    return true;
}

std::string unescape_token(std::string_view token) {
    std::string out;
    for (std::size_t i = 0; i < token.size(); ++i) {
        if (token[i] == '~' && i + 1 < token.size() &&
            (token[i + 1] == '0' || token[i + 1] == '1')) {
            out += token[i + 1] == '0' ? '~' : '/';
            ++i;
        } else {
            out += token[i];
        }
    }
    return out;
}

bool at_or_below(std::string_view pointer, std::string_view root) {
    return pointer.starts_with(root) &&
           (pointer.size() == root.size() || pointer[root.size()] == '/');
}

}  // namespace

std::string pointer_append(std::string_view pointer, std::string_view key) {
    std::string out(pointer);
    out += '/';
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::string pointer_append(std::string_view pointer, std::size_t index) {
    return std::string(pointer) + '/' + std::to_string(index);
}

std::string pointer_parent(std::string_view pointer) {
    auto slash = pointer.rfind('/');
    return slash == std::string_view::npos ? std::string() : std::string(pointer.substr(0, slash));
}

std::string pointer_last(std::string_view pointer) {
    auto slash = pointer.rfind('/');
    return slash == std::string_view::npos ? std::string()
                                           : unescape_token(pointer.substr(slash + 1));
}

std::string key_path_append(std::string_view path, std::string_view key) {
    if (plain_key(key)) {
        return path.empty() ? std::string(key) : std::string(path) + '.' + std::string(key);
    }
    return std::string(path) + '[' +
           nlohmann::json(key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ']';
}

std::string key_path_append(std::string_view path, std::size_t index) {
    return std::string(path) + '[' + std::to_string(index) + ']';
}

std::string pointer_from_key_path(std::string_view key_path) {
    if (key_path.empty() || key_path.front() == '/') {
        return std::string(key_path);
    }
    std::string out;
    std::size_t i = 0;
    while (i < key_path.size()) {
        if (key_path[i] == '.') {
            ++i;
        } else if (key_path[i] == '[') {
            auto close = key_path.find(']', i);
            if (i + 1 < key_path.size() && key_path[i + 1] == '"') {
                // A quoted key: find the closing quote that is followed by ']'.
                close = key_path.find("\"]", i + 2);
                std::string quoted(key_path.substr(
                    i + 1, close == std::string_view::npos ? std::string_view::npos : close - i));
                auto parsed = nlohmann::json::parse(quoted, nullptr, false);
                out = pointer_append(out, parsed.is_string() ? parsed.get<std::string>() : quoted);
                i = close == std::string_view::npos ? key_path.size() : close + 2;
                continue;
            }
            out = pointer_append(out, key_path.substr(i + 1, close - i - 1));
            i = close == std::string_view::npos ? key_path.size() : close + 1;
        } else {
            auto end = key_path.find_first_of(".[", i);
            out = pointer_append(out, key_path.substr(i, end - i));
            i = end == std::string_view::npos ? key_path.size() : end;
        }
    }
    return out;
}

void SourceMap::set(std::string pointer, SourceEntry entry) {
    entries_[std::move(pointer)] = std::move(entry);
}

const SourceEntry* SourceMap::find(std::string_view pointer) const {
    auto it = entries_.find(pointer);
    return it == entries_.end() ? nullptr : &it->second;
}

SourceLocation SourceMap::key_location(std::string_view pointer) const {
    std::string current(pointer);
    for (;;) {
        if (const SourceEntry* entry = find(current)) {
            if (entry->key.known()) {
                return entry->key;
            }
            if (entry->value.known()) {
                return entry->value;
            }
        }
        if (current.empty()) {
            return {};
        }
        current = pointer_parent(current);
    }
}

SourceLocation SourceMap::value_location(std::string_view pointer) const {
    if (const SourceEntry* entry = find(pointer); entry != nullptr && entry->value.known()) {
        return entry->value;
    }
    return key_location(pointer);
}

std::string SourceMap::key_path(std::string_view pointer) const {
    if (const SourceEntry* entry = find(pointer); entry != nullptr && !entry->key_path.empty()) {
        return entry->key_path;
    }
    if (pointer.empty()) {
        return {};
    }
    std::string parent = key_path(pointer_parent(pointer));
    std::string last = pointer_last(pointer);
    return is_index(last) ? parent + '[' + last + ']' : key_path_append(parent, last);
}

template <class F>
void SourceMap::for_subtree(std::string_view pointer, F&& visit) const {
    for (auto it = entries_.lower_bound(pointer);
         it != entries_.end() && it->first.starts_with(pointer); ++it) {
        if (at_or_below(it->first, pointer)) {
            visit(it->first, it->second);
        }
    }
}

void SourceMap::copy_subtree(const SourceMap& source, std::string_view from, std::string_view to) {
    source.for_subtree(from, [&](const std::string& pointer, const SourceEntry& entry) {
        entries_[std::string(to) + pointer.substr(from.size())] = entry;
    });
}

void SourceMap::move_subtree(std::string_view from, std::string_view to) {
    if (from == to) {
        return;
    }
    SourceMap moved;
    moved.copy_subtree(*this, from, to);
    erase_subtree(from);
    erase_subtree(to);
    entries_.merge(moved.entries_);
}

void SourceMap::erase_subtree(std::string_view pointer) {
    std::vector<std::string> doomed;
    for_subtree(pointer, [&](const std::string& p, const SourceEntry&) { doomed.push_back(p); });
    for (const std::string& p : doomed) {
        entries_.erase(p);
    }
}

}  // namespace tshost::config
