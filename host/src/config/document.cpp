#include "config/document.hpp"

// GCC 12 reports false -Wdangling-pointer positives inside yaml-cpp 0.7's node/impl.h.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>

namespace tshost::config {

namespace {

using nlohmann::json;

// Real configs nest a handful of levels and nested search spaces a few more. The limits keep
// hostile input (deep brackets, alias bombs) from exhausting the stack or memory.
constexpr int kMaxDepth = 100;
constexpr std::size_t kMaxNodes = 200000;
constexpr std::uintmax_t kMaxFileBytes = 16u << 20;

// Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF): nlohmann::json
// refuses to serialise anything else, and the model is serialised into the database.
bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t extra = 0;
        unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
        if (c < 0x80) {
            extra = 0;
        } else if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            low = c == 0xE0 ? 0xA0 : 0x80;
            high = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            low = c == 0xF0 ? 0x90 : 0x80;
            high = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return false;
        }
        if (i + extra >= s.size()) {
            return false;
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            auto b = static_cast<unsigned char>(s[i + k]);
            if (k == 1 ? (b < low || b > high) : (b & 0xC0) != 0x80) {
                return false;
            }
        }
        i += extra + 1;
    }
    return true;
}

bool is_digits(std::string_view s, bool hex = false) {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        bool ok = hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                      : std::isdigit(static_cast<unsigned char>(c)) != 0;
        if (!ok) {
            return false;
        }
    }
    return true;
}

std::optional<json> resolve_int(std::string_view s) {
    bool negative = !s.empty() && s.front() == '-';
    std::string_view body =
        (!s.empty() && (s.front() == '-' || s.front() == '+')) ? s.substr(1) : s;
    int base = 10;
    if (body.starts_with("0x")) {
        base = 16;
        body.remove_prefix(2);
    } else if (body.starts_with("0o")) {
        base = 8;
        body.remove_prefix(2);
    }
    if (!is_digits(body, base == 16) ||
        (base == 8 && body.find_first_of("89") != std::string_view::npos)) {
        return std::nullopt;
    }
    std::uint64_t magnitude = 0;
    auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), magnitude, base);
    if (ec == std::errc() && ptr == body.data() + body.size()) {
        if (!negative) {
            return json(magnitude);
        }
        if (magnitude <= static_cast<std::uint64_t>(INT64_MAX) + 1) {
            return json(static_cast<std::int64_t>(0 - magnitude));
        }
    }
    // Too large for 64 bits: keep it as a (huge) float so that range checks can say so.
    return json(std::strtod(std::string(s).c_str(), nullptr));
}

std::optional<json> resolve_float(std::string_view s) {
    static const std::string_view kInf[] = {".inf", ".Inf", ".INF"};
    std::string_view body =
        (!s.empty() && (s.front() == '-' || s.front() == '+')) ? s.substr(1) : s;
    for (std::string_view inf : kInf) {
        if (body == inf) {
            return json(s.front() == '-' ? -HUGE_VAL : HUGE_VAL);
        }
    }
    if (s == ".nan" || s == ".NaN" || s == ".NAN") {
        return json(std::nan(""));
    }
    // [0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)? with at least one digit before the exponent.
    std::size_t i = 0, digits = 0;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i])) != 0) {
        ++i, ++digits;
    }
    if (i < body.size() && body[i] == '.') {
        ++i;
        while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i])) != 0) {
            ++i, ++digits;
        }
    }
    if (digits == 0) {
        return std::nullopt;
    }
    if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
        ++i;
        if (i < body.size() && (body[i] == '-' || body[i] == '+')) {
            ++i;
        }
        if (!is_digits(body.substr(i))) {
            return std::nullopt;
        }
        i = body.size();
    }
    if (i != body.size()) {
        return std::nullopt;
    }
    return json(std::strtod(std::string(s).c_str(), nullptr));
}

// Plain (unquoted) scalars: YAML 1.2 core schema plus PyYAML's YAML 1.1 booleans, since NNI
// reads configs with PyYAML and users write `useActiveGpu: yes`.
json resolve_plain(const std::string& s) {
    static const std::string_view kTrue[] = {"true", "True", "TRUE", "yes", "Yes",
                                             "YES",  "on",   "On",   "ON"};
    static const std::string_view kFalse[] = {"false", "False", "FALSE", "no", "No",
                                              "NO",    "off",   "Off",   "OFF"};
    static const std::string_view kNull[] = {"", "~", "null", "Null", "NULL"};
    for (std::string_view t : kTrue) {
        if (s == t) {
            return true;
        }
    }
    for (std::string_view f : kFalse) {
        if (s == f) {
            return false;
        }
    }
    for (std::string_view n : kNull) {
        if (s == n) {
            return nullptr;
        }
    }
    if (auto i = resolve_int(s)) {
        return *i;
    }
    if (auto f = resolve_float(s)) {
        return *f;
    }
    return s;
}

class Converter {
  public:
    Converter(const std::string& file, std::vector<Diagnostic>& errors, SourceMap& map)
        : file_(file), errors_(errors), map_(map) {}

    bool ok() const { return ok_; }

    SourceLocation location(const YAML::Mark& mark) const {
        if (mark.is_null()) {
            return {file_, 0, 0};
        }
        return {file_, mark.line + 1, mark.column + 1};
    }

    json convert(const YAML::Node& node, const std::string& pointer, const std::string& key_path,
                 int depth) {
        if (!ok_) {
            return nullptr;
        }
        if (++nodes_ > kMaxNodes) {
            fail(node.Mark(), key_path,
                 "more than " + std::to_string(kMaxNodes) + " values (YAML aliases expanding?)");
            return nullptr;
        }
        if (depth > kMaxDepth) {
            fail(node.Mark(), key_path,
                 "nested more than " + std::to_string(kMaxDepth) + " levels deep");
            return nullptr;
        }
        switch (node.Type()) {
            case YAML::NodeType::Map:
                return convert_map(node, pointer, key_path, depth);
            case YAML::NodeType::Sequence: {
                json out = json::array();
                std::size_t index = 0;
                for (YAML::Node item : node) {
                    std::string child = pointer_append(pointer, index);
                    std::string child_path = key_path_append(key_path, index);
                    map_.set(child, {{}, location(item.Mark()), child_path});
                    out.push_back(convert(item, child, child_path, depth + 1));
                    ++index;
                }
                return out;
            }
            case YAML::NodeType::Scalar:
                return convert_scalar(node, key_path);
            default:
                return nullptr;
        }
    }

  private:
    json convert_map(const YAML::Node& node, const std::string& pointer,
                     const std::string& key_path, int depth) {
        json out = json::object();
        for (auto it = node.begin(); it != node.end() && ok_; ++it) {
            // By value: `it->` yields a temporary proxy, so references into it dangle.
            YAML::Node key = it->first;
            YAML::Node value = it->second;
            if (!key.IsScalar()) {
                fail(key.Mark(), key_path,
                     "a key must be a plain name, not a list, mapping or null");
                return nullptr;
            }
            const std::string& name = key.Scalar();
            if (!valid_utf8(name)) {
                fail(key.Mark(), key_path, "key is not valid UTF-8");
                return nullptr;
            }
            std::string child = pointer_append(pointer, name);
            std::string child_path = key_path_append(key_path, name);
            if (out.contains(name)) {
                const SourceEntry* first = map_.find(child);
                errors_.push_back({location(key.Mark()), child_path, "duplicate key",
                                   first != nullptr && first->key.known()
                                       ? "it is already set on line " +
                                             std::to_string(first->key.line) + "; keep one"
                                       : "keep one"});
                continue;
            }
            // yaml-cpp marks an empty value at the next token, so point at the key instead.
            SourceLocation value_at =
                value.IsNull() ? location(key.Mark()) : location(value.Mark());
            map_.set(child, {location(key.Mark()), value_at, child_path});
            out[name] = convert(value, child, child_path, depth + 1);
        }
        return out;
    }

    json convert_scalar(const YAML::Node& node, const std::string& key_path) {
        const std::string& text = node.Scalar();
        if (!valid_utf8(text)) {
            fail(node.Mark(), key_path, "value is not valid UTF-8");
            return nullptr;
        }
        const std::string& tag = node.Tag();
        if (tag == "!" || tag == "tag:yaml.org,2002:str") {
            return text;  // quoted, or explicitly a string
        }
        return resolve_plain(text);
    }

    void fail(const YAML::Mark& mark, const std::string& key_path, std::string message) {
        errors_.push_back({location(mark), key_path, std::move(message), {}});
        ok_ = false;
    }

    const std::string& file_;
    std::vector<Diagnostic>& errors_;
    SourceMap& map_;
    std::size_t nodes_ = 0;
    bool ok_ = true;
};

std::string syntax_hint(std::string_view text, int line) {
    // Find the offending line; tabs in indentation are the classic cause.
    std::size_t start = 0;
    for (int l = 0; l < line && start != std::string_view::npos; ++l) {
        start = text.find('\n', start);
        start = start == std::string_view::npos ? start : start + 1;
    }
    if (start != std::string_view::npos && start < text.size() && text[start] == '\t') {
        return "YAML does not allow tabs for indentation; indent with spaces";
    }
    return "check the indentation, the quoting and the brackets around here";
}

}  // namespace

std::optional<Document> parse_document(std::string_view text, const std::string& file,
                                       const std::string& key_prefix,
                                       std::vector<Diagnostic>& errors) {
    try {
        std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
        Document doc;
        if (docs.empty()) {
            doc.value = nullptr;
            doc.map.set("", {{}, {file, 1, 1}, key_prefix});
            return doc;
        }
        Converter converter(file, errors, doc.map);
        if (docs.size() > 1) {
            errors.push_back({converter.location(docs[1].Mark()), key_prefix,
                              "more than one YAML document in the file",
                              "remove the '---' separator and everything after it"});
            return std::nullopt;
        }
        SourceLocation root = converter.location(docs[0].Mark());
        doc.map.set("", {{}, root.known() ? root : SourceLocation{file, 1, 1}, key_prefix});
        doc.value = converter.convert(docs[0], "", key_prefix, 0);
        if (!converter.ok()) {
            return std::nullopt;
        }
        return doc;
    } catch (const YAML::DeepRecursion& e) {
        // yaml-cpp's own guard (its message is just "bad file").
        errors.push_back({{file, e.mark.line + 1, e.mark.column + 1},
                          key_prefix,
                          "nested too deeply (more than " + std::to_string(kMaxDepth) + " levels)",
                          {}});
    } catch (const YAML::Exception& e) {
        SourceLocation where{file, 0, 0};
        if (!e.mark.is_null()) {
            where = {file, e.mark.line + 1, e.mark.column + 1};
        }
        errors.push_back({where, key_prefix, "YAML syntax error: " + e.msg,
                          syntax_hint(text, e.mark.is_null() ? -1 : e.mark.line)});
    } catch (const std::exception& e) {
        // yaml-cpp may run out of memory or hit its own recursion guard on hostile input.
        errors.push_back({{file, 0, 0}, key_prefix, std::string("cannot parse: ") + e.what(), {}});
    }
    return std::nullopt;
}

std::optional<Document> read_document(const std::filesystem::path& file,
                                      const std::string& key_prefix,
                                      std::vector<Diagnostic>& errors,
                                      const Diagnostic& referenced_from) {
    auto report = [&](std::string message, std::string hint) {
        Diagnostic d = referenced_from;
        if (d.where.file.empty()) {
            d.where.file = file.string();
        }
        d.message = std::move(message);
        d.hint = std::move(hint);
        errors.push_back(std::move(d));
        return std::nullopt;
    };
    std::error_code ec;
    auto status = std::filesystem::status(file, ec);
    if (ec || !std::filesystem::exists(status)) {
        return report("cannot read " + file.string() + ": no such file", "check the path");
    }
    if (std::filesystem::is_directory(status)) {
        return report("cannot read " + file.string() + ": it is a directory",
                      "give the path of a YAML or JSON file");
    }
    auto size = std::filesystem::file_size(file, ec);
    if (!ec && size > kMaxFileBytes) {
        return report("cannot read " + file.string() + ": larger than 16 MiB", {});
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return report("cannot read " + file.string() + ": " + std::strerror(errno),
                      "check the file's permissions");
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_document(text, file.string(), key_prefix, errors);
}

}  // namespace tshost::config
