#include "selectors.hpp"

#include <algorithm>
#include <cctype>

namespace kemu {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

/// Splits on commas that are not inside parentheses.
std::vector<std::string_view> split_terms(std::string_view text, bool& balanced) {
    std::vector<std::string_view> out;
    int depth = 0;
    std::size_t start = 0;
    balanced = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '(') {
            ++depth;
        } else if (text[i] == ')') {
            if (--depth < 0) {
                balanced = false;
            }
        } else if (text[i] == ',' && depth == 0) {
            out.push_back(trim(text.substr(start, i - start)));
            start = i + 1;
        }
    }
    balanced = balanced && depth == 0;
    out.push_back(trim(text.substr(start)));
    return out;
}

bool valid_label_key(std::string_view key) {
    if (key.empty() || key.size() > 253) {
        return false;
    }
    return std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
               c == '/';
    });
}

bool valid_label_value(std::string_view v) {
    return v.size() <= 63 && std::all_of(v.begin(), v.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                      c == '.';
           });
}

ApiError selector_error(std::string_view text, const std::string& why) {
    return bad_request("unable to parse requirement: " + why + " (selector \"" + std::string(text) +
                       "\")");
}

/// Position of a set operator (" in " / " notin ") as a whole word, or npos.
std::size_t find_word(std::string_view term, std::string_view word) {
    for (std::size_t pos = term.find(word); pos != std::string_view::npos;
         pos = term.find(word, pos + 1)) {
        const bool left_ok = pos > 0 && std::isspace(static_cast<unsigned char>(term[pos - 1]));
        const std::size_t end = pos + word.size();
        const bool right_ok =
            end < term.size() &&
            (std::isspace(static_cast<unsigned char>(term[end])) || term[end] == '(');
        if (left_ok && right_ok) {
            return pos;
        }
    }
    return std::string_view::npos;
}

std::string label_value(const json& labels, const std::string& key, bool& present) {
    const auto it = labels.find(key);
    present = it != labels.end() && it->is_string();
    return present ? it->get<std::string>() : std::string{};
}

}  // namespace

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
    LabelSelector sel;
    text = trim(text);
    if (text.empty()) {
        return sel;
    }
    bool balanced = true;
    const auto terms = split_terms(text, balanced);
    if (!balanced) {
        return selector_error(text, "unbalanced parentheses");
    }
    for (std::string_view term : terms) {
        if (term.empty()) {
            return selector_error(text, "empty requirement");
        }
        Requirement req;
        std::size_t pos = 0;
        if (term.front() == '!') {
            req.key = std::string(trim(term.substr(1)));
            req.op = Op::NotExists;
        } else if ((pos = find_word(term, "notin")) != std::string_view::npos ||
                   (pos = find_word(term, "in")) != std::string_view::npos) {
            const bool notin = term.substr(pos, 5) == "notin";
            req.key = std::string(trim(term.substr(0, pos)));
            req.op = notin ? Op::NotIn : Op::In;
            std::string_view rest = trim(term.substr(pos + (notin ? 5 : 2)));
            if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') {
                return selector_error(text, "found '" + std::string(rest) + "', expected: '('");
            }
            rest = rest.substr(1, rest.size() - 2);
            std::size_t start = 0;
            for (std::size_t i = 0; i <= rest.size(); ++i) {
                if (i == rest.size() || rest[i] == ',') {
                    req.values.emplace_back(trim(rest.substr(start, i - start)));
                    start = i + 1;
                }
            }
        } else if ((pos = term.find("!=")) != std::string_view::npos) {
            req.key = std::string(trim(term.substr(0, pos)));
            req.op = Op::NotEq;
            req.values.emplace_back(trim(term.substr(pos + 2)));
        } else if ((pos = term.find("==")) != std::string_view::npos) {
            req.key = std::string(trim(term.substr(0, pos)));
            req.op = Op::Eq;
            req.values.emplace_back(trim(term.substr(pos + 2)));
        } else if ((pos = term.find('=')) != std::string_view::npos) {
            req.key = std::string(trim(term.substr(0, pos)));
            req.op = Op::Eq;
            req.values.emplace_back(trim(term.substr(pos + 1)));
        } else {
            req.key = std::string(term);
            req.op = Op::Exists;
        }
        if (!valid_label_key(req.key)) {
            return selector_error(text, "invalid label key \"" + req.key + "\"");
        }
        for (const auto& v : req.values) {
            if (!valid_label_value(v)) {
                return selector_error(text, "invalid label value: \"" + v + "\"");
            }
        }
        sel.reqs_.push_back(std::move(req));
    }
    return sel;
}

bool LabelSelector::matches(const json& labels) const {
    for (const auto& r : reqs_) {
        bool present = false;
        const std::string value = label_value(labels, r.key, present);
        const bool in_set =
            present && std::find(r.values.begin(), r.values.end(), value) != r.values.end();
        bool ok = false;
        switch (r.op) {
            case Op::Eq:
            case Op::In:
                ok = in_set;
                break;
            case Op::NotEq:
            case Op::NotIn:
                // Like the real API server: a missing label satisfies != and notin.
                ok = !in_set;
                break;
            case Op::Exists:
                ok = present;
                break;
            case Op::NotExists:
                ok = !present;
                break;
        }
        if (!ok) {
            return false;
        }
    }
    return true;
}

Result<FieldSelector> FieldSelector::parse(std::string_view text) {
    FieldSelector sel;
    text = trim(text);
    if (text.empty()) {
        return sel;
    }
    bool balanced = true;
    for (std::string_view term : split_terms(text, balanced)) {
        Requirement req;
        std::size_t pos = term.find("!=");
        std::size_t len = 2;
        req.negate = pos != std::string_view::npos;
        if (!req.negate) {
            pos = term.find("==");
            if (pos == std::string_view::npos) {
                pos = term.find('=');
                len = 1;
            }
        }
        if (pos == std::string_view::npos || pos == 0) {
            return bad_request("invalid field selector: \"" + std::string(text) + "\"");
        }
        const std::string_view field = trim(term.substr(0, pos));
        req.value = std::string(trim(term.substr(pos + len)));
        std::size_t start = 0;
        for (std::size_t i = 0; i <= field.size(); ++i) {
            if (i == field.size() || field[i] == '.') {
                req.path.emplace_back(field.substr(start, i - start));
                start = i + 1;
            }
        }
        sel.reqs_.push_back(std::move(req));
    }
    return sel;
}

bool FieldSelector::matches(const json& obj) const {
    for (const auto& r : reqs_) {
        const json* cur = &obj;
        for (const auto& key : r.path) {
            if (cur == nullptr || !cur->is_object() || !cur->contains(key)) {
                cur = nullptr;
                break;
            }
            cur = &(*cur)[key];
        }
        std::string value;
        if (cur != nullptr) {
            value = cur->is_string() ? cur->get<std::string>() : cur->dump();
        }
        if ((value == r.value) == r.negate) {
            return false;
        }
    }
    return true;
}

}  // namespace kemu
