#include "tuner/search_space.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tshost::tuner {

namespace {

using nlohmann::json;

// Deep enough for any real space; bounds the recursion on hostile input.
constexpr std::size_t kMaxNesting = 32;
// Internal values are doubles, which hold every integer index exactly only up to 2^53.
constexpr std::uint64_t kMaxRandintRange = std::uint64_t{1} << 53;

struct TypeName {
    std::string_view name;
    ParamType type;
};

constexpr TypeName kTypeNames[] = {
    {"choice", ParamType::Choice},         {"randint", ParamType::Randint},
    {"uniform", ParamType::Uniform},       {"quniform", ParamType::Quniform},
    {"loguniform", ParamType::Loguniform}, {"qloguniform", ParamType::Qloguniform},
    {"normal", ParamType::Normal},         {"qnormal", ParamType::Qnormal},
    {"lognormal", ParamType::Lognormal},   {"qlognormal", ParamType::Qlognormal},
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw SearchSpaceError(path + ": " + what);
}

// GCC 12 reports false "maybe uninitialized" warnings for std::optional<int64_t> here.
bool to_int64(const json& v, std::int64_t& out) {
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        out = static_cast<std::int64_t>(u);
        return u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    }
    if (v.is_number_integer()) {
        out = v.get<std::int64_t>();
        return true;
    }
    return false;
}

bool is_named_option(const json& option) {
    return option.is_object() && option.contains("_name");
}

std::optional<ParamType> parse_type(const std::string& name) {
    for (const auto& t : kTypeNames) {
        if (t.name == name) {
            return t.type;
        }
    }
    return std::nullopt;
}

std::string valid_types() {
    std::string out;
    for (const auto& t : kTypeNames) {
        out += out.empty() ? "" : ", ";
        out += t.name;
    }
    return out;
}

bool is_q(ParamType t) {
    return t == ParamType::Quniform || t == ParamType::Qloguniform || t == ParamType::Qnormal ||
           t == ParamType::Qlognormal;
}

bool is_log(ParamType t) {
    return t == ParamType::Loguniform || t == ParamType::Qloguniform || t == ParamType::Lognormal ||
           t == ParamType::Qlognormal;
}

bool is_normal(ParamType t) {
    return t == ParamType::Normal || t == ParamType::Qnormal || t == ParamType::Lognormal ||
           t == ParamType::Qlognormal;
}

void parse_choice(ParameterSpec& spec, const std::string& value_path) {
    const json& options = spec.values;
    if (options.empty()) {
        fail(value_path, "choice needs at least one option");
    }
    const auto named = std::count_if(options.begin(), options.end(), is_named_option);
    if (named > 0 && static_cast<std::size_t>(named) != options.size()) {
        fail(value_path, "a nested choice needs every option to be an object with \"_name\"");
    }
    spec.nested = named > 0;
    for (std::size_t k = 0; spec.nested && k < options.size(); ++k) {
        if (!options[k]["_name"].is_string()) {
            fail(value_path + "[" + std::to_string(k) + "]._name", "must be a string");
        }
    }
    spec.categorical = true;
    spec.size = options.size();
}

void parse_randint(ParameterSpec& spec, const std::string& value_path) {
    const json& v = spec.values;
    std::int64_t lower = 0, upper = 0;
    if (v.size() != 2 || !to_int64(v[0], lower) || !to_int64(v[1], upper) || lower >= upper) {
        fail(value_path, "randint needs integers [lower, upper) with lower < upper");
    }
    const std::uint64_t range =
        static_cast<std::uint64_t>(upper) - static_cast<std::uint64_t>(lower);
    if (range > kMaxRandintRange) {
        fail(value_path, "randint range is too large (at most 2^53 values)");
    }
    spec.categorical = true;
    spec.size = range;
    spec.randint_lower = lower;
}

void parse_numeric(ParameterSpec& spec, const std::string& value_path) {
    const json& v = spec.values;
    const bool q = is_q(spec.type);
    const std::string type_name(to_string(spec.type));
    const std::size_t count = q ? 3 : 2;
    const bool all_numbers =
        v.size() == count && std::all_of(v.begin(), v.end(), [](const json& x) {
            return x.is_number() && std::isfinite(x.get<double>());
        });
    if (!all_numbers) {
        const char* names = is_normal(spec.type) ? (q ? "[mu, sigma, q]" : "[mu, sigma]")
                                                 : (q ? "[low, high, q]" : "[low, high]");
        fail(value_path,
             type_name + " needs " + std::to_string(count) + " finite numbers " + names);
    }
    const double a = v[0].get<double>();
    const double b = v[1].get<double>();
    if (q) {
        spec.q = v[2].get<double>();
        if (!(*spec.q > 0)) {
            fail(value_path, type_name + " needs q > 0");
        }
    }
    spec.log_distributed = is_log(spec.type);
    spec.normal_distributed = is_normal(spec.type);
    if (spec.normal_distributed) {
        if (!(b > 0)) {
            fail(value_path, type_name + " needs sigma > 0");
        }
        spec.mu = a;
        spec.sigma = b;
        return;
    }
    if (spec.log_distributed && !(a > 0 && a < b)) {
        fail(value_path, type_name + " needs 0 < low < high");
    }
    if (!(a < b)) {
        fail(value_path, type_name + " needs low < high");
    }
    spec.user_low = a;
    spec.user_high = b;
    spec.low = spec.log_distributed ? std::log(a) : a;
    spec.high = spec.log_distributed ? std::log(b) : b;
}

void parse_into(const json& space, const std::string& prefix,
                const std::vector<std::string>& json_prefix, std::optional<std::size_t> parent,
                std::size_t parent_option, std::size_t depth, std::vector<ParameterSpec>& out) {
    if (depth > kMaxNesting) {
        fail(prefix, "nested choices deeper than " + std::to_string(kMaxNesting) + " levels");
    }
    if (!space.is_object()) {
        fail(prefix, "expected an object of parameters");
    }
    for (const auto& [key, entry] : space.items()) {
        if (key == "_name") {  // the option's own name inside a nested choice
            continue;
        }
        ParameterSpec spec;
        spec.name = key;
        spec.path = prefix + "." + key;
        spec.json_path = json_prefix;
        spec.json_path.push_back(key);
        spec.parent = parent;
        spec.parent_option = parent_option;
        if (!entry.is_object() || !entry.contains("_type") || !entry.contains("_value")) {
            fail(spec.path, "expected an object with \"_type\" and \"_value\"");
        }
        const json& type = entry["_type"];
        const auto parsed_type =
            type.is_string() ? parse_type(type.get<std::string>()) : std::nullopt;
        if (!parsed_type) {
            fail(spec.path + "._type",
                 "unknown type " + type.dump() + " (valid: " + valid_types() + ")");
        }
        spec.type = *parsed_type;
        spec.values = entry["_value"];
        const std::string value_path = spec.path + "._value";
        if (!spec.values.is_array()) {
            fail(value_path, "must be a list");
        }
        if (spec.type == ParamType::Choice) {
            parse_choice(spec, value_path);
        } else if (spec.type == ParamType::Randint) {
            parse_randint(spec, value_path);
        } else {
            parse_numeric(spec, value_path);
        }
        const std::size_t index = out.size();
        out.push_back(spec);
        if (spec.nested) {
            for (std::size_t k = 0; k < spec.values.size(); ++k) {
                parse_into(spec.values[k], value_path + "[" + std::to_string(k) + "]",
                           spec.json_path, index, k, depth + 1, out);
            }
        }
    }
}

std::string parameter_path(const ParameterSpec& spec) {
    std::string path = "parameters";
    for (const auto& name : spec.json_path) {
        path += "." + name;
    }
    return path;
}

// The option index of a user value, or nullopt when it is not one of the options.
std::optional<double> categorical_index(const ParameterSpec& spec, const json& value) {
    if (spec.type == ParamType::Randint) {
        std::int64_t v = 0;
        if (!to_int64(value, v) || v < spec.randint_lower) {
            return std::nullopt;
        }
        const std::uint64_t index =
            static_cast<std::uint64_t>(v) - static_cast<std::uint64_t>(spec.randint_lower);
        return index < spec.size ? std::optional<double>(static_cast<double>(index)) : std::nullopt;
    }
    for (std::size_t k = 0; k < spec.values.size(); ++k) {
        const bool match = spec.nested ? value.is_object() && value.contains("_name") &&
                                             value["_name"] == spec.values[k]["_name"]
                                       : value == spec.values[k];
        if (match) {
            return static_cast<double>(k);
        }
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(ParamType type) {
    for (const auto& t : kTypeNames) {
        if (t.type == type) {
            return t.name;
        }
    }
    return "unknown";
}

double round_half_even(double x) {
    const double r = std::round(x);
    if (std::fabs(x - std::trunc(x)) == 0.5) {
        return 2.0 * std::round(x / 2.0);
    }
    return r;
}

double ParameterSpec::sample(Rng& rng) const {
    if (categorical) {
        return static_cast<double>(rng.below(size));
    }
    return normal_distributed ? rng.normal(mu, sigma) : rng.uniform(low, high);
}

double ParameterSpec::to_user_number(double internal) const {
    double x = log_distributed ? std::exp(internal) : internal;
    if (q) {
        x = round_half_even(x / *q) * *q;
    }
    // NNI clips only q types; clipping the others too keeps exp(log(high)) from landing one ulp
    // above high.
    return normal_distributed ? x : std::clamp(x, user_low, user_high);
}

nlohmann::json ParameterSpec::to_user_value(double internal) const {
    if (!categorical) {
        return to_user_number(internal);
    }
    // Internal indices come from this library; the clamp only guards against misuse.
    const double clamped = std::clamp(internal, 0.0, static_cast<double>(size - 1));
    const auto index = static_cast<std::uint64_t>(clamped);
    if (type == ParamType::Randint) {
        return static_cast<std::int64_t>(static_cast<std::uint64_t>(randint_lower) + index);
    }
    return nested ? values[index]["_name"] : values[index];
}

SearchSpace SearchSpace::parse(const nlohmann::json& space) {
    SearchSpace out;
    parse_into(space, "searchSpace", {}, std::nullopt, 0, 0, out.specs_);
    out.json_ = space;
    return out;
}

bool SearchSpace::is_active(std::size_t i, const Point& point) const {
    const auto& parent = specs_[i].parent;
    if (!parent) {
        return true;
    }
    const auto& chosen = point[*parent];
    return chosen && *chosen == static_cast<double>(specs_[i].parent_option);
}

bool SearchSpace::is_inside(std::size_t i, std::size_t ancestor) const {
    for (auto p = specs_[i].parent; p; p = specs_[*p].parent) {
        if (*p == ancestor) {
            return true;
        }
    }
    return false;
}

Point SearchSpace::sample(Rng& rng) const {
    Point point(specs_.size());
    for (std::size_t i = 0; i < specs_.size(); ++i) {
        if (is_active(i, point)) {
            point[i] = specs_[i].sample(rng);
        }
    }
    return point;
}

nlohmann::json SearchSpace::to_parameters(const Point& point) const {
    nlohmann::json out = nlohmann::json::object();
    for (std::size_t i = 0; i < specs_.size() && i < point.size(); ++i) {
        if (!point[i]) {
            continue;
        }
        const ParameterSpec& spec = specs_[i];
        nlohmann::json* node = &out;
        for (std::size_t k = 0; k + 1 < spec.json_path.size(); ++k) {
            node = &(*node)[spec.json_path[k]];
        }
        nlohmann::json& slot = (*node)[spec.json_path.back()];
        if (spec.nested) {
            slot["_name"] = spec.to_user_value(*point[i]);
        } else {
            slot = spec.to_user_value(*point[i]);
        }
    }
    return out;
}

Point SearchSpace::from_parameters(const nlohmann::json& parameters) const {
    if (!parameters.is_object()) {
        throw SearchSpaceError("parameters: expected an object");
    }
    Point point(specs_.size());
    for (std::size_t i = 0; i < specs_.size(); ++i) {
        if (!is_active(i, point)) {
            continue;
        }
        const ParameterSpec& spec = specs_[i];
        const nlohmann::json* node = &parameters;
        for (const auto& name : spec.json_path) {
            if (!node->is_object() || !node->contains(name)) {
                throw SearchSpaceError(parameter_path(spec) + ": missing");
            }
            node = &(*node)[name];
        }
        if (spec.categorical) {
            point[i] = categorical_index(spec, *node);
            if (!point[i]) {
                throw SearchSpaceError(parameter_path(spec) + ": " + node->dump() +
                                       " is not one of the options of " + spec.path);
            }
            continue;
        }
        const double x = node->is_number() ? node->get<double>() : std::nan("");
        // qlognormal legitimately rounds small values to 0, whose logarithm does not exist.
        const bool rounded_to_zero = spec.log_distributed && spec.q && x == 0;
        const bool in_range =
            std::isfinite(x) &&
            (spec.normal_distributed ? !spec.log_distributed || x > 0 || rounded_to_zero
                                     : spec.user_low <= x && x <= spec.user_high);
        if (!in_range) {
            throw SearchSpaceError(parameter_path(spec) + ": " + node->dump() + " does not fit " +
                                   spec.path);
        }
        if (rounded_to_zero) {
            point[i] = std::log(*spec.q / 4);  // any value below q/2 rounds back to 0
        } else {
            point[i] = spec.log_distributed ? std::log(x) : x;
        }
    }
    return point;
}

std::vector<std::optional<std::size_t>> SearchSpace::map_from(const SearchSpace& old) const {
    std::vector<std::optional<std::size_t>> mapping(specs_.size());
    for (std::size_t j = 0; j < specs_.size(); ++j) {
        for (std::size_t i = 0; i < old.specs_.size(); ++i) {
            const auto& a = specs_[j];
            const auto& b = old.specs_[i];
            if (a.path == b.path && a.type == b.type && a.values == b.values) {
                mapping[j] = i;
                break;
            }
        }
    }
    return mapping;
}

}  // namespace tshost::tuner
