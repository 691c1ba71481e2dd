#include "config/context.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "config/document.hpp"
#include "config/units.hpp"

namespace tshost::config {

using nlohmann::json;

namespace {

std::vector<std::string> tokens(std::string_view pointer) {
    std::vector<std::string> out;
    while (!pointer.empty()) {
        auto next = pointer.find('/', 1);
        std::string_view token = pointer.substr(0, next);
        out.push_back(pointer_last(token));
        pointer = next == std::string_view::npos ? std::string_view() : pointer.substr(next);
    }
    return out;
}

// The value at `pointer` even when it is null; nullptr when absent.
json* lookup(json& root, std::string_view pointer) {
    json* current = &root;
    for (const std::string& token : tokens(pointer)) {
        if (current->is_object()) {
            auto it = current->find(token);
            if (it == current->end()) {
                return nullptr;
            }
            current = &*it;
        } else if (current->is_array()) {
            std::size_t index = 0;
            auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
            if (ec != std::errc() || p != token.data() + token.size() || index >= current->size()) {
                return nullptr;
            }
            current = &(*current)[index];
        } else {
            return nullptr;
        }
    }
    return current;
}

bool integral(const json& v) {
    return v.is_number_integer() || v.is_number_unsigned();
}

// Numbers as integers where the YAML said 4.0; nullopt for fractions and non-numbers.
std::optional<double> as_whole(const json& v) {
    if (!v.is_number()) {
        return std::nullopt;
    }
    double d = v.get<double>();
    if (!std::isfinite(d) || std::floor(d) != d) {
        return std::nullopt;
    }
    return d;
}

std::string quote_hint(const json& v, std::string_view wanted) {
    if (v.is_string()) {
        return "write " + std::string(wanted) + " without quotes";
    }
    return {};
}

}  // namespace

std::string describe(const json& value) {
    switch (value.type()) {
        case json::value_t::object:
            return "a mapping";
        case json::value_t::array:
            return "a list";
        case json::value_t::string: {
            std::string s = value.get<std::string>();
            if (s.size() > 40) {
                s = s.substr(0, 37) + "...";
            }
            return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
        }
        case json::value_t::number_float: {
            double d = value.get<double>();
            if (std::isnan(d)) {
                return ".nan";
            }
            if (std::isinf(d)) {
                return d > 0 ? ".inf" : "-.inf";
            }
            return value.dump();
        }
        default:
            return value.dump();
    }
}

Context::Context(json& document, SourceMap& source_map, std::filesystem::path base)
    : doc(document), map(source_map), base_dir(std::move(base)) {}

json* Context::find(std::string_view pointer) {
    json* v = lookup(doc, pointer);
    return v == nullptr || v->is_null() ? nullptr : v;
}

void Context::set(std::string_view pointer, json value, SourceEntry where) {
    json* current = &doc;
    for (const std::string& token : tokens(pointer)) {
        if (current->is_array()) {
            current = lookup(*current, "/" + token);
            if (current == nullptr) {
                return;  // only our own pointers get here, and they name existing elements
            }
            continue;
        }
        if (!current->is_object()) {
            *current = json::object();
        }
        current = &(*current)[token];
    }
    *current = std::move(value);
    map.set(std::string(pointer), std::move(where));
}

bool Context::move(std::string_view from, std::string_view to) {
    json* source = lookup(doc, from);
    if (source == nullptr) {
        return false;
    }
    if (source->is_null()) {
        erase(from);
        return false;
    }
    json value = std::move(*source);
    SourceMap moved;
    moved.copy_subtree(map, from, to);
    erase(from);
    set(to, std::move(value), {});
    map.erase_subtree(to);
    map.copy_subtree(moved, to, to);
    return true;
}

void Context::erase(std::string_view pointer) {
    json* parent = lookup(doc, pointer_parent(pointer));
    if (parent != nullptr && parent->is_object()) {
        parent->erase(pointer_last(pointer));
    }
    map.erase_subtree(pointer);
}

Diagnostic Context::at_key(std::string_view pointer, std::string message, std::string hint) const {
    return {map.key_location(pointer), map.key_path(pointer), std::move(message), std::move(hint)};
}

Diagnostic Context::at_value(std::string_view pointer, std::string message,
                             std::string hint) const {
    return {map.value_location(pointer), map.key_path(pointer), std::move(message),
            std::move(hint)};
}

void Context::missing(std::string_view pointer, std::string hint) {
    error(at_key(pointer, "required key is missing", std::move(hint)));
}

void Context::canonicalize(std::string_view object_pointer, const KeySet& keys, bool strict) {
    json* object = find(object_pointer);
    if (object == nullptr || !object->is_object()) {
        return;
    }
    std::vector<std::string> names;
    for (auto it = object->begin(); it != object->end(); ++it) {
        names.push_back(it.key());
    }
    for (const std::string& key : names) {
        std::string child = pointer_append(object_pointer, key);
        std::string_view canonical = canonical_key(key, keys);
        if (canonical == key) {
            continue;
        }
        if (!canonical.empty()) {
            std::string target = pointer_append(object_pointer, canonical);
            if (lookup(doc, target) != nullptr) {
                error(at_key(child,
                             "'" + key + "' and '" + std::string(canonical) +
                                 "' are the same key, spelled twice",
                             "keep one"));
                erase(child);
            } else {
                move(child, target);
            }
            continue;
        }
        if (!strict) {
            continue;
        }
        std::string hint;
        for (const auto& [old_name, advice] : keys.renamed) {
            if (normalize_key(old_name) == normalize_key(key)) {
                hint = std::string(advice);
            }
        }
        if (hint.empty()) {
            if (std::string_view close = closest_key(key, keys); !close.empty()) {
                hint = "did you mean '" + std::string(close) + "'?";
            } else {
                for (std::string_view name : keys.names) {
                    hint += (hint.empty() ? "known keys here: " : ", ") + std::string(name);
                }
            }
        }
        error(at_key(child, "unknown key '" + key + "'", std::move(hint)));
        erase(child);  // reported once; later stages must not trip over it again
    }
}

const json* Context::object(std::string_view pointer) {
    const json* v = find(pointer);
    if (v != nullptr && !v->is_object()) {
        error(at_value(pointer, "expected a mapping of keys, got " + describe(*v)));
        return nullptr;
    }
    return v;
}

std::optional<std::string> Context::string(std::string_view pointer) {
    const json* v = find(pointer);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (!v->is_string()) {
        error(at_value(pointer, "expected a string, got " + describe(*v),
                       v->is_structured() ? "" : "put the value in quotes"));
        return std::nullopt;
    }
    return v->get<std::string>();
}

std::optional<bool> Context::boolean(std::string_view pointer) {
    const json* v = find(pointer);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (!v->is_boolean()) {
        error(at_value(pointer, "expected true or false, got " + describe(*v),
                       quote_hint(*v, "true or false")));
        return std::nullopt;
    }
    return v->get<bool>();
}

std::optional<std::int64_t> Context::integer(std::string_view pointer, std::int64_t min,
                                             std::int64_t max) {
    const json* v = find(pointer);
    if (v == nullptr) {
        return std::nullopt;
    }
    std::optional<double> whole = as_whole(*v);
    if (!whole) {
        std::string expected = min == 1   ? "a positive integer"
                               : min == 0 ? "a non-negative integer"
                                          : "an integer";
        error(at_value(pointer, "expected " + expected + ", got " + describe(*v),
                       quote_hint(*v, "the number")));
        return std::nullopt;
    }
    // Huge YAML integers arrive as unsigned or float; doubles compare them all safely, and
    // the unsigned test catches what rounding to double would hide.
    bool too_big =
        *whole > static_cast<double>(max) ||
        (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max));
    if (*whole < static_cast<double>(min) || too_big) {
        std::string bound =
            too_big ? "must be <= " + std::to_string(max) : "must be >= " + std::to_string(min);
        error(at_value(pointer, bound + " (got " + describe(*v) + ")"));
        return std::nullopt;
    }
    return integral(*v) ? v->get<std::int64_t>() : static_cast<std::int64_t>(*whole);
}

std::optional<double> Context::number(std::string_view pointer, double min) {
    const json* v = find(pointer);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (!v->is_number() || !std::isfinite(v->get<double>())) {
        error(at_value(pointer, "expected a number, got " + describe(*v),
                       quote_hint(*v, "the number")));
        return std::nullopt;
    }
    double d = v->get<double>();
    if (d < min) {
        error(at_value(pointer, "must be >= " + json(min).dump() + " (got " + describe(*v) + ")"));
        return std::nullopt;
    }
    return d;
}

std::optional<std::chrono::seconds> Context::duration(std::string_view pointer) {
    const json* v = find(pointer);
    if (v == nullptr) {
        return std::nullopt;
    }
    try {
        std::chrono::seconds seconds;
        if (v->is_string()) {
            seconds = parse_duration(v->get<std::string>());
        } else if (v->is_number() && std::isfinite(v->get<double>()) && v->get<double>() >= 0) {
            // Fixed notation: parse_duration takes no exponents.
            seconds = parse_duration(std::to_string(v->get<double>()));
        } else {
            error(at_value(pointer,
                           "expected a duration such as \"30m\", \"2h\" or a number of "
                           "seconds, got " +
                               describe(*v)));
            return std::nullopt;
        }
        if (seconds.count() <= 0) {
            error(at_value(pointer, "must be longer than 0 seconds (got " + describe(*v) + ")",
                           "leave the key out for no limit"));
            return std::nullopt;
        }
        return seconds;
    } catch (const std::invalid_argument& e) {
        error(at_value(pointer, e.what()));
        return std::nullopt;
    }
}

void Context::normalize_memory(std::string_view pointer) {
    json* v = find(pointer);
    if (v == nullptr) {
        return;
    }
    try {
        if (v->is_string()) {
            *v = memory_quantity(v->get<std::string>());
        } else if (integral(*v) && v->get<double>() > 0 && v->get<double>() < 1e15) {
            *v = memory_quantity(std::to_string(v->get<std::uint64_t>()));
        } else if (v->is_number_float() && std::isfinite(v->get<double>()) &&
                   v->get<double>() > 0 && v->get<double>() < 1e15) {
            // The double's exact decimal digits down to 2^-20 MB (one byte), so that a whole
            // number of bytes stays exact and anything else is reported, not rounded.
            char text[64];
            const auto r = std::to_chars(text, text + sizeof text, v->get<double>(),
                                         std::chars_format::fixed, 20);
            *v = memory_quantity(std::string_view(text, static_cast<std::size_t>(r.ptr - text)));
        } else {
            error(at_value(pointer,
                           "expected a memory size such as \"4g\", \"512m\" or a number "
                           "of MB, got " +
                               describe(*v)));
        }
    } catch (const std::invalid_argument& e) {
        error(at_value(pointer, e.what()));
    }
}

std::string Context::resolve(std::string_view path) const {
    std::filesystem::path p{std::string(path)};
    if (path == "~" || path.starts_with("~/")) {
        if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
            p = std::filesystem::path(home) / std::string(path.substr(path.size() > 1 ? 2 : 1));
        }
    }
    if (p.is_relative()) {
        p = base_dir / p;
    }
    std::string out = p.lexically_normal().string();
    while (out.size() > 1 && out.back() == '/') {
        out.pop_back();
    }
    return out;
}

std::optional<std::string> Context::path(std::string_view pointer, PathKind kind) {
    std::optional<std::string> text = string(pointer);
    if (!text) {
        return std::nullopt;
    }
    if (text->empty()) {
        error(at_value(pointer, "expected a path, got an empty string"));
        return std::nullopt;
    }
    std::string absolute = resolve(*text);
    *find(pointer) = absolute;
    if (kind == PathKind::Any) {
        return absolute;
    }
    std::error_code ec;
    auto status = std::filesystem::status(absolute, ec);
    std::string relative_hint =
        "relative paths are relative to the config file's directory, " + base_dir.string();
    if (!std::filesystem::exists(status)) {
        error(at_value(pointer,
                       "no such " + std::string(kind == PathKind::File ? "file" : "directory") +
                           ": " + absolute,
                       relative_hint));
        return std::nullopt;
    }
    if (kind == PathKind::Directory && !std::filesystem::is_directory(status)) {
        error(at_value(pointer, "not a directory: " + absolute, relative_hint));
        return std::nullopt;
    }
    if (kind == PathKind::File && std::filesystem::is_directory(status)) {
        error(at_value(pointer, "is a directory, expected a file: " + absolute, relative_hint));
        return std::nullopt;
    }
    return absolute;
}

const nlohmann::json* Context::include_mapping(std::string_view named_by, const std::string& file,
                                               std::string_view pointer,
                                               const std::string& key_prefix,
                                               const std::string& not_mapping,
                                               const std::string& hint) {
    std::optional<Document> included =
        read_document(file, key_prefix, errors, at_value(named_by, ""));
    if (!included) {
        return nullptr;
    }
    if (!included->value.is_object()) {
        error({included->map.value_location(""),
               key_prefix.empty() ? map.key_path(named_by) : key_prefix,
               not_mapping + ", got " + describe(included->value), hint});
        return nullptr;
    }
    const SourceEntry named = *map.find(named_by);
    set(pointer, std::move(included->value), {});
    map.copy_subtree(included->map, "", pointer);
    map.set(std::string(pointer), named);
    return find(pointer);
}

}  // namespace tshost::config
