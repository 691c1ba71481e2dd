#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuner/tuner.hpp"

namespace tshost::tuner {

/// Case-insensitive ASCII comparison (NNI matches algorithm names this way).
bool iequals(std::string_view a, std::string_view b);

/// Reads one algorithm's classArgs. Every key must be one the algorithm accepts and every value
/// must have the right type and range; violations throw std::invalid_argument with a message
/// for the user, e.g. `TPE classArgs: unknown key "sed" (valid: optimize_mode, seed, tpe_args)`.
class ClassArgs {
  public:
    /// `args` is null (none given) or an object; `context` prefixes messages ("TPE classArgs").
    ClassArgs(std::string context, const nlohmann::json& args,
              std::initializer_list<std::string_view> accepted);

    OptimizeMode optimize_mode(OptimizeMode fallback) const;
    /// The "seed" key: a non-negative integer.
    std::optional<std::uint64_t> seed() const;
    std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                         std::int64_t max) const;
    double number(std::string_view key, double fallback, double min, double max) const;
    bool boolean(std::string_view key, bool fallback) const;
    /// One of `options` (case-insensitive, returned as spelt in `options`); null gives nullopt
    /// when `nullable`.
    std::optional<std::string> choice(std::string_view key, std::string_view fallback,
                                      std::initializer_list<std::string_view> options,
                                      bool nullable = false) const;
    /// A nested object (such as TPE's tpe_args); null when absent.
    const nlohmann::json& object(std::string_view key) const;
    /// Message prefix for a key, e.g. "TPE classArgs.tpe_args".
    std::string context(std::string_view key) const;

  private:
    const nlohmann::json* find(std::string_view key) const;
    [[noreturn]] void fail(std::string_view key, const std::string& what) const;

    std::string context_;
    nlohmann::json args_;
};

}  // namespace tshost::tuner
