#include "tuner/class_args.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace tshost::tuner {

namespace {

template <class Names>
std::string join(const Names& names) {
    std::string out;
    for (const auto& name : names) {
        out += out.empty() ? "" : ", ";
        out += name;
    }
    return out;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

ClassArgs::ClassArgs(std::string context, const nlohmann::json& args,
                     std::initializer_list<std::string_view> accepted)
    : context_(std::move(context)), args_(args.is_null() ? nlohmann::json::object() : args) {
    if (!args_.is_object()) {
        throw std::invalid_argument(context_ + ": expected an object, got " + args.dump());
    }
    for (const auto& [key, value] : args_.items()) {
        if (std::find(accepted.begin(), accepted.end(), key) == accepted.end()) {
            throw std::invalid_argument(
                context_ + ": unknown key \"" + key + "\"" +
                (accepted.size() == 0 ? " (it takes none)" : " (valid: " + join(accepted) + ")"));
        }
    }
}

std::string ClassArgs::context(std::string_view key) const {
    return context_ + "." + std::string(key);
}

void ClassArgs::fail(std::string_view key, const std::string& what) const {
    throw std::invalid_argument(context(key) + ": " + what);
}

const nlohmann::json* ClassArgs::find(std::string_view key) const {
    const auto it = args_.find(key);
    return it == args_.end() ? nullptr : &*it;
}

OptimizeMode ClassArgs::optimize_mode(OptimizeMode fallback) const {
    const auto mode =
        choice("optimize_mode", fallback == OptimizeMode::Minimize ? "minimize" : "maximize",
               {"maximize", "minimize"});
    return *mode == "minimize" ? OptimizeMode::Minimize : OptimizeMode::Maximize;
}

std::optional<std::uint64_t> ClassArgs::seed() const {
    const nlohmann::json* v = find("seed");
    if (v == nullptr || v->is_null()) {
        return std::nullopt;
    }
    if (v->is_number_unsigned() || (v->is_number_integer() && v->get<std::int64_t>() >= 0)) {
        return v->get<std::uint64_t>();
    }
    fail("seed", "must be a non-negative integer, got " + v->dump());
}

std::int64_t ClassArgs::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                std::int64_t max) const {
    const nlohmann::json* v = find(key);
    if (v == nullptr) {
        return fallback;
    }
    std::optional<std::int64_t> x;
    if (v->is_number_unsigned()) {
        const auto u = v->get<std::uint64_t>();
        if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            x = static_cast<std::int64_t>(u);
        }
    } else if (v->is_number_integer()) {
        x = v->get<std::int64_t>();
    }
    if (!x || *x < min || *x > max) {
        fail(key, "must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                      "], got " + v->dump());
    }
    return *x;
}

double ClassArgs::number(std::string_view key, double fallback, double min, double max) const {
    const nlohmann::json* v = find(key);
    if (v == nullptr) {
        return fallback;
    }
    const double x = v->is_number() ? v->get<double>() : std::nan("");
    if (!(x >= min && x <= max)) {
        nlohmann::json lo = min, hi = max;
        fail(key, "must be a number in [" + lo.dump() + ", " + hi.dump() + "], got " + v->dump());
    }
    return x;
}

bool ClassArgs::boolean(std::string_view key, bool fallback) const {
    const nlohmann::json* v = find(key);
    if (v == nullptr) {
        return fallback;
    }
    if (!v->is_boolean()) {
        fail(key, "must be true or false, got " + v->dump());
    }
    return v->get<bool>();
}

std::optional<std::string> ClassArgs::choice(std::string_view key, std::string_view fallback,
                                             std::initializer_list<std::string_view> options,
                                             bool nullable) const {
    const nlohmann::json* v = find(key);
    if (v == nullptr) {
        return std::string(fallback);
    }
    if (nullable && v->is_null()) {
        return std::nullopt;
    }
    if (v->is_string()) {
        for (const auto& option : options) {
            if (iequals(option, v->get<std::string>())) {
                return std::string(option);
            }
        }
    }
    fail(key,
         "must be one of " + join(options) + (nullable ? ", null" : "") + ", got " + v->dump());
}

const nlohmann::json& ClassArgs::object(std::string_view key) const {
    static const nlohmann::json null;
    const nlohmann::json* v = find(key);
    if (v == nullptr || v->is_null()) {
        return null;
    }
    if (!v->is_object()) {
        fail(key, "must be an object, got " + v->dump());
    }
    return *v;
}

}  // namespace tshost::tuner
