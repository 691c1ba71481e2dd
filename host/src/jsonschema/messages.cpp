#include "jsonschema/messages.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "jsonschema/edit_distance.hpp"
#include "jsonschema/values.hpp"

namespace tshost::jsonschema::detail {
namespace {

constexpr std::size_t kMaxShownChars = 60;

// Cuts a UTF-8 string after `limit` code points without splitting one.
std::string truncate_utf8(std::string_view text, std::size_t limit) {
    std::size_t points = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && points++ == limit) {
            return std::string(text.substr(0, i)) + "…";
        }
    }
    return std::string(text);
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

std::string quote_key(std::string_view key) {
    return "'" + truncate_utf8(key, kMaxShownChars) + "'";
}

std::string value_text(const nlohmann::json& value) {
    switch (kind_of(value)) {
        case Kind::String:
            return nlohmann::json(
                       truncate_utf8(value.get_ref<const std::string&>(), kMaxShownChars))
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        case Kind::Array:
            return value.empty() ? "[]" : "an array of " + count_of(value.size(), "item");
        case Kind::Object:
            return value.empty() ? "{}" : "an object with " + count_of(value.size(), "key");
        default:
            return value.dump();
    }
}

std::string typed_value_text(const nlohmann::json& value) {
    switch (kind_of(value)) {
        case Kind::Null:
            return "null";
        case Kind::Array:
        case Kind::Object:
            return value.empty() ? std::string(type_name(value)) + " " + value_text(value)
                                 : value_text(value);
        default:
            return std::string(type_name(value)) + " " + value_text(value);
    }
}

std::string_view type_name(const nlohmann::json& value) {
    switch (kind_of(value)) {
        case Kind::Null:
            return "null";
        case Kind::Boolean:
            return "boolean";
        case Kind::Number:
            return is_integral(value) ? "integer" : "number";
        case Kind::String:
            return "string";
        case Kind::Array:
            return "array";
        case Kind::Object:
            return "object";
    }
    return "value";
}

std::string join_alternatives(const std::vector<std::string>& items, std::string_view last_sep) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) {
            out += i + 1 == items.size() ? last_sep : std::string_view(", ");
        }
        out += items[i];
    }
    return out;
}

std::string count_of(std::size_t n, std::string_view noun) {
    return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates) {
    // Short words tolerate one slip, long ones up to three: beyond that the suggestion is noise.
    const std::size_t allowed =
        word.size() < 3 ? 0 : std::clamp<std::size_t>(word.size() / 4, 1, 3);
    const std::string lowered = lower(word);
    std::optional<std::string> best;
    std::size_t best_distance = allowed + 1;
    for (const std::string& candidate : candidates) {
        if (candidate == word) {
            continue;
        }
        std::string candidate_lower = lower(candidate);
        std::size_t distance = candidate_lower == lowered ? 0 : edit_distance(word, candidate);
        if (distance < best_distance) {
            best_distance = distance;
            best = candidate;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    auto match = closest_match(word, candidates);
    return match ? " — did you mean " + quote_key(*match) + "?" : std::string();
}

std::string literal_text(const nlohmann::json& value) {
    if (!value.is_structured()) {
        return value_text(value);
    }
    constexpr std::size_t kMaxLiteral = 80;
    std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return text.size() > kMaxLiteral ? truncate_utf8(text, kMaxLiteral) : text;
}

std::string must_be_one_of(const std::vector<const nlohmann::json*>& allowed,
                           const nlohmann::json& instance) {
    constexpr std::size_t kMaxListed = 12;
    std::string listed;
    std::vector<std::string> strings;
    for (std::size_t i = 0; i < allowed.size(); ++i) {
        if (i < kMaxListed) {
            listed += (i > 0 ? ", " : "") + literal_text(*allowed[i]);
        } else if (i == kMaxListed) {
            listed += ", … (" + std::to_string(allowed.size()) + " values in all)";
        }
        if (allowed[i]->is_string()) {
            strings.push_back(allowed[i]->get<std::string>());
        }
    }
    std::string message = (allowed.size() == 1 ? "must be " : "must be one of ") + listed +
                          " (got " + value_text(instance) + ")";
    if (instance.is_string()) {
        if (auto match = closest_match(instance.get_ref<const std::string&>(), strings)) {
            message += " — did you mean " + value_text(nlohmann::json(*match)) + "?";
        }
    }
    return message;
}

}  // namespace tshost::jsonschema::detail

namespace tshost::jsonschema {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev2(b.size() + 1), prev(b.size() + 1), row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        prev[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = std::min({prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                row[j] = std::min(row[j], prev2[j - 2] + 1);
            }
        }
        std::swap(prev2, prev);
        std::swap(prev, row);
    }
    return prev[b.size()];
}

}  // namespace tshost::jsonschema
