#include "shared_key.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include "crypto.hpp"

namespace tshost::azure {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Folds runs of spaces, tabs and line breaks to one space and trims both ends.
// (Azure excludes quoted strings from folding; no header this plugin sends has one.)
std::string fold_whitespace(std::string_view value) {
    std::string out;
    bool pending_space = false;
    for (const char c : value) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) {
            out += ' ';
            pending_space = false;
        }
        out += c;
    }
    return out;
}

std::string header_value(const NameValues& headers, std::string_view name) {
    for (const auto& [n, v] : headers) {
        if (lower(n) == name) {
            return v;
        }
    }
    return {};
}

}  // namespace

std::string canonicalized_headers(const NameValues& headers) {
    std::map<std::string, std::string> sorted;
    for (const auto& [name, value] : headers) {
        std::string key = lower(fold_whitespace(name));
        if (key.starts_with("x-ms-")) {
            sorted[key] = fold_whitespace(value);
        }
    }
    std::string out;
    for (const auto& [name, value] : sorted) {
        out += name + ":" + value + "\n";
    }
    return out;
}

std::string canonicalized_resource(std::string_view account, std::string_view path,
                                   const NameValues& query) {
    std::map<std::string, std::vector<std::string>> params;
    for (const auto& [name, value] : query) {
        params[lower(name)].push_back(value);
    }
    std::string out = "/" + std::string(account) + std::string(path);
    for (auto& [name, values] : params) {
        std::sort(values.begin(), values.end());
        out += "\n" + name + ":";
        for (size_t i = 0; i < values.size(); ++i) {
            out += (i == 0 ? "" : ",") + values[i];
        }
    }
    return out;
}

std::string string_to_sign(std::string_view account, const SignedRequest& request) {
    static constexpr std::array<std::string_view, 11> kStandard{"content-encoding",
                                                                "content-language",
                                                                "content-length",
                                                                "content-md5",
                                                                "content-type",
                                                                "date",
                                                                "if-modified-since",
                                                                "if-match",
                                                                "if-none-match",
                                                                "if-unmodified-since",
                                                                "range"};
    std::string out = std::string(request.method) + "\n";
    for (const std::string_view name : kStandard) {
        std::string value = header_value(request.headers, name);
        if (name == "content-length" && value == "0") {
            value.clear();
        }
        out += value + "\n";
    }
    out += canonicalized_headers(request.headers);
    out += canonicalized_resource(account, request.path, request.query);
    return out;
}

std::string authorization(std::string_view account, std::string_view key,
                          const SignedRequest& request) {
    const std::string signature = base64_encode(hmac_sha256(key, string_to_sign(account, request)));
    return "SharedKey " + std::string(account) + ":" + signature;
}

}  // namespace tshost::azure
