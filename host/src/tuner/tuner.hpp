#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tuner/search_space.hpp"

namespace tshost::tuner {

enum class OptimizeMode { Minimize, Maximize };

/// One finished trial replayed into a tuner when an experiment resumes (NNI's import_data).
struct ImportedTrial {
    nlohmann::json parameters;  ///< what the trial received
    double value = 0;           ///< its final "default" metric
};

/// A built-in tuner. Calls are serialised by the engine (single-threaded use).
///
/// Results a tuner cannot use (a non-finite value, parameters of an unknown id that do not fit
/// the search space) throw std::invalid_argument and leave the tuner unchanged.
class Tuner {
  public:
    virtual ~Tuner();

    /// First call of every experiment, and again when the user edits the space.
    virtual void update_search_space(const SearchSpace& space) = 0;
    /// The parameters for a new trial, exactly as NNI's tuner emits them, or nullopt when there
    /// is nothing left to try (a finite space is exhausted).
    virtual std::optional<nlohmann::json> generate_parameters(std::int64_t parameter_id) = 0;
    /// The trial's final "default" metric; the tuner applies its optimize_mode. An id the tuner
    /// did not generate is learnt from `parameters` (customised trials).
    virtual void receive_trial_result(std::int64_t parameter_id, const nlohmann::json& parameters,
                                      double value) = 0;
    /// The trial ended (after its result, if any).
    virtual void trial_end(std::int64_t parameter_id, bool succeeded);
    /// Replays finished trials of a previous run; returns how many fitted the current space.
    virtual std::size_t import_data(std::span<const ImportedTrial> trials);
    /// The seed in use, for the log line that lets a run be replayed; nullopt if not random.
    virtual std::optional<std::uint64_t> seed() const;
};

/// Creates a built-in tuner by NNI name (case-insensitive): TPE, Random, GridSearch, Anneal,
/// Evolution, with NNI's classArgs. `seed` seeds tuners that have no "seed" classArg and is the
/// default for those that have; without either a random seed is drawn (see Tuner::seed()).
/// Unknown names or classArgs throw std::invalid_argument with a message for the user.
std::unique_ptr<Tuner> make_tuner(std::string_view name, const nlohmann::json& class_args,
                                  std::optional<std::uint64_t> seed = std::nullopt);

}  // namespace tshost::tuner
