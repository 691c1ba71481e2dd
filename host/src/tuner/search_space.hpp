#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuner/rng.hpp"

namespace tshost::tuner {

/// A search space the tuners cannot use. The message starts with the key path, e.g.
/// "searchSpace.lr._value: loguniform needs 0 < low < high".
class SearchSpaceError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class ParamType {
    Choice,
    Randint,
    Uniform,
    Quniform,
    Loguniform,
    Qloguniform,
    Normal,
    Qnormal,
    Lognormal,
    Qlognormal,
};

std::string_view to_string(ParamType type);

/// One parameter of the flattened space (NNI's hpo_utils ParameterSpec). Tuners work on an
/// "internal" value per parameter: the option index for choice/randint, the logarithm for log
/// types, and the value before q-rounding for q types.
struct ParameterSpec {
    std::string name;                    ///< key in its (sub-)space
    std::string path;                    ///< "searchSpace.opt._value[1].beta", for messages
    std::vector<std::string> json_path;  ///< where the value goes in the trial's parameters
    ParamType type = ParamType::Uniform;
    nlohmann::json values;  ///< "_value" as given

    /// The nested choice this parameter belongs to, and which of its options activates it.
    std::optional<std::size_t> parent;
    std::size_t parent_option = 0;

    bool categorical = false;  ///< choice or randint: unordered options 0..size-1
    std::uint64_t size = 0;    ///< number of options (categorical)
    std::int64_t randint_lower = 0;
    bool nested = false;  ///< choice whose options are sub-spaces with "_name"

    bool normal_distributed = false;
    bool log_distributed = false;
    double low = 0, high = 0;  ///< uniform family, internal scale (log for log types)
    double mu = 0, sigma = 0;  ///< normal family, internal scale
    std::optional<double> q;
    /// Bounds of the user-facing value for the uniform family (NNI clips q types to them).
    double user_low = 0, user_high = 0;

    /// Draws an internal value from the prior (what NNI's Random tuner does).
    double sample(Rng& rng) const;
    /// Internal → user number for numeric types: exp for log, q rounding, clipping.
    double to_user_number(double internal) const;
    /// Internal → the JSON value the trial receives (nested choices give only the name).
    nlohmann::json to_user_value(double internal) const;
};

/// Internal parameter values indexed like SearchSpace::specs(); empty when not activated.
using Point = std::vector<std::optional<double>>;

/// A validated, flattened NNI search space (section 5 of the protocol reference).
class SearchSpace {
  public:
    SearchSpace() = default;
    /// Parses and validates; throws SearchSpaceError naming the key path.
    static SearchSpace parse(const nlohmann::json& space);

    const std::vector<ParameterSpec>& specs() const noexcept { return specs_; }
    std::size_t size() const noexcept { return specs_.size(); }
    bool empty() const noexcept { return specs_.empty(); }
    const nlohmann::json& json() const noexcept { return json_; }

    /// Whether parameter i is used, given the nested choices already made in `point`.
    bool is_active(std::size_t i, const Point& point) const;
    /// Whether parameter i sits (at any depth) inside an option of nested choice `ancestor`.
    bool is_inside(std::size_t i, std::size_t ancestor) const;
    /// A point drawn from the prior.
    Point sample(Rng& rng) const;
    /// The parameters object a trial receives, exactly as NNI's deformat_parameters builds it.
    nlohmann::json to_parameters(const Point& point) const;
    /// Inverse of to_parameters (for results of unknown ids and for resuming); throws
    /// SearchSpaceError when the parameters do not fit this space.
    Point from_parameters(const nlohmann::json& parameters) const;
    /// For each parameter, the index of the identical parameter (same path, type and values) in
    /// `old`: what a tuner may keep learning from after the user edits the space.
    std::vector<std::optional<std::size_t>> map_from(const SearchSpace& old) const;

  private:
    std::vector<ParameterSpec> specs_;
    nlohmann::json json_;
};

/// Python's round(): halves go to the even neighbour. q rounding must match NNI's exactly.
double round_half_even(double x);

}  // namespace tshost::tuner
