#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "tuner/results.hpp"
#include "tuner/rng.hpp"
#include "tuner/tuner.hpp"

namespace tshost::tuner {

/// The metric assumed for running trials when Anneal runs in parallel (NNI's HyperoptTuner).
enum class AnnealLiar { Min, Max, Mean };

/// hyperopt's annealing (anneal.py), as NNI's "Anneal" runs it: pick a good finished trial
/// (rank drawn from a geometric distribution of mean 2 over the trials sorted by loss) and draw
/// each parameter near that trial's value, from a neighbourhood that shrinks as 1/(1 + 0.1·T)
/// with T the number of observations of the parameter. Nested parameters the chosen trial did
/// not use come from another good trial that did.
class AnnealTuner final : public Tuner {
  public:
    /// `parallel_optimize` makes running trials count as finished with the liar's metric once
    /// more than 20 parameters were generated, like NNI.
    AnnealTuner(OptimizeMode mode, std::uint64_t seed, bool parallel_optimize = false,
                AnnealLiar liar = AnnealLiar::Min);

    void update_search_space(const SearchSpace& space) override;
    std::optional<nlohmann::json> generate_parameters(std::int64_t parameter_id) override;
    void receive_trial_result(std::int64_t parameter_id, const nlohmann::json& parameters,
                              double value) override;
    void trial_end(std::int64_t parameter_id, bool succeeded) override;
    std::size_t import_data(std::span<const ImportedTrial> trials) override;
    std::optional<std::uint64_t> seed() const override { return seed_; }

  private:
    struct Finished {
        Point point;
        double loss;
    };

    Point suggest(const std::vector<Finished>& finished);
    double perturb(const ParameterSpec& spec, double value, double shrink);
    std::vector<Finished> with_lies() const;
    void learn(Point point, double value);

    OptimizeMode mode_;
    std::uint64_t seed_;
    bool parallel_;
    AnnealLiar liar_;
    Rng rng_;
    SearchSpace space_;
    std::vector<Finished> finished_;  // in arrival order (hyperopt's trial ids)
    RunningTrials running_;
    std::unordered_set<std::string> generated_;  // parameters handed out, to avoid repeats
    std::size_t generated_count_ = 0;
    // Raw metrics seen, for the liar.
    double metric_min_ = 0, metric_max_ = 0, metric_sum_ = 0;
    std::size_t metric_count_ = 0;
};

}  // namespace tshost::tuner
