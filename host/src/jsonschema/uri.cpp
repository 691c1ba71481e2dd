#include "jsonschema/uri.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

namespace tshost::jsonschema::detail {
namespace {

struct UriParts {
    std::optional<std::string_view> scheme;
    std::optional<std::string_view> authority;
    std::string_view path;
    std::optional<std::string_view> query;
    std::optional<std::string_view> fragment;
};

// The component split of RFC 3986 appendix B.
UriParts split_uri(std::string_view uri) {
    UriParts parts;
    if (auto hash = uri.find('#'); hash != std::string_view::npos) {
        parts.fragment = uri.substr(hash + 1);
        uri = uri.substr(0, hash);
    }
    if (auto question = uri.find('?'); question != std::string_view::npos) {
        parts.query = uri.substr(question + 1);
        uri = uri.substr(0, question);
    }
    if (auto colon = uri.find(':'); colon != std::string_view::npos && colon > 0 &&
                                    uri.substr(0, colon).find('/') == std::string_view::npos) {
        parts.scheme = uri.substr(0, colon);
        uri = uri.substr(colon + 1);
    }
    if (uri.starts_with("//")) {
        uri = uri.substr(2);
        auto slash = uri.find('/');
        parts.authority = uri.substr(0, slash);
        uri = slash == std::string_view::npos ? std::string_view{} : uri.substr(slash);
    }
    parts.path = uri;
    return parts;
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view input) {
    std::string output;
    while (!input.empty()) {
        if (input.starts_with("../")) {
            input.remove_prefix(3);
        } else if (input.starts_with("./")) {
            input.remove_prefix(2);
        } else if (input.starts_with("/./")) {
            input.remove_prefix(2);
        } else if (input == "/.") {
            input = "/";
        } else if (input.starts_with("/../") || input == "/..") {
            input = input.size() == 3 ? std::string_view("/") : input.substr(3);
            auto last = output.rfind('/');
            output.erase(last == std::string::npos ? 0 : last);
        } else if (input == "." || input == "..") {
            input = {};
        } else {
            auto next = input.find('/', input.front() == '/' ? 1 : 0);
            output.append(input.substr(0, next));
            input = next == std::string_view::npos ? std::string_view{} : input.substr(next);
        }
    }
    return output;
}

std::string merge_paths(const UriParts& base, std::string_view reference_path) {
    if (base.authority && base.path.empty()) {
        return "/" + std::string(reference_path);
    }
    auto slash = base.path.rfind('/');
    if (slash == std::string_view::npos) {
        return std::string(reference_path);
    }
    return std::string(base.path.substr(0, slash + 1)) + std::string(reference_path);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

}  // namespace

std::string resolve_uri(std::string_view base, std::string_view reference) {
    const UriParts ref = split_uri(reference);
    const UriParts bas = split_uri(base);
    std::optional<std::string_view> scheme = bas.scheme;
    std::optional<std::string_view> authority = bas.authority;
    std::optional<std::string_view> query = ref.query;
    std::string path;
    if (ref.scheme) {
        scheme = ref.scheme;
        authority = ref.authority;
        path = remove_dot_segments(ref.path);
    } else if (ref.authority) {
        authority = ref.authority;
        path = remove_dot_segments(ref.path);
    } else if (ref.path.empty()) {
        path = std::string(bas.path);
        if (!ref.query) {
            query = bas.query;
        }
    } else if (ref.path.front() == '/') {
        path = remove_dot_segments(ref.path);
    } else {
        path = merge_paths(bas, ref.path);
        // A relative base keeps leading ".." that cannot be resolved yet.
        path = (scheme || authority || path.starts_with('/')) ? remove_dot_segments(path) : path;
    }

    std::string result;
    if (scheme) {
        result.append(*scheme).push_back(':');
    }
    if (authority) {
        result.append("//").append(*authority);
    }
    result.append(path);
    if (query) {
        result.append("?").append(*query);
    }
    if (ref.fragment) {
        result.append("#").append(*ref.fragment);
    }
    return result;
}

std::pair<std::string, std::string> split_fragment(std::string_view uri) {
    auto hash = uri.find('#');
    if (hash == std::string_view::npos) {
        return {std::string(uri), {}};
    }
    return {std::string(uri.substr(0, hash)), std::string(uri.substr(hash + 1))};
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            int high = hex_value(text[i + 1]);
            int low = hex_value(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out.push_back(static_cast<char>(high * 16 + low));
                i += 2;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

std::string escape_pointer_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<std::vector<std::string>> parse_pointer(std::string_view pointer) {
    std::vector<std::string> tokens;
    if (pointer.empty()) {
        return tokens;
    }
    if (pointer.front() != '/') {
        return std::nullopt;
    }
    pointer.remove_prefix(1);
    while (true) {
        auto slash = pointer.find('/');
        std::string_view raw = pointer.substr(0, slash);
        std::string token;
        for (size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] != '~') {
                token.push_back(raw[i]);
            } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
                token.push_back(raw[++i] == '0' ? '~' : '/');
            } else {
                return std::nullopt;
            }
        }
        tokens.push_back(std::move(token));
        if (slash == std::string_view::npos) {
            break;
        }
        pointer.remove_prefix(slash + 1);
    }
    return tokens;
}

const nlohmann::json* resolve_pointer(const nlohmann::json& document, std::string_view pointer) {
    auto tokens = parse_pointer(pointer);
    if (!tokens) {
        return nullptr;
    }
    const nlohmann::json* current = &document;
    for (const std::string& token : *tokens) {
        if (current->is_object()) {
            auto it = current->find(token);
            if (it == current->end()) {
                return nullptr;
            }
            current = &*it;
        } else if (current->is_array()) {
            size_t index = 0;
            auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
            if (ec != std::errc{} || end != token.data() + token.size() || token.empty() ||
                (token.size() > 1 && token.front() == '0') || index >= current->size()) {
                return nullptr;
            }
            current = &(*current)[index];
        } else {
            return nullptr;
        }
    }
    return current;
}

}  // namespace tshost::jsonschema::detail
