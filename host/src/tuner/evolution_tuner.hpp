#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "tuner/results.hpp"
#include "tuner/rng.hpp"
#include "tuner/tuner.hpp"

namespace tshost::tuner {

/// NNI's naive Evolution: the first population_size trials are random individuals; after that
/// two individuals are drawn, the worse one leaves the population, and a copy of the better one
/// with one activated parameter (and, for a nested choice, its whole sub-space) redrawn from the
/// prior is tried next. Finished trials join the population.
///
/// NNI answers a request it cannot serve (more trials running than the population size) later,
/// on its own; this interface cannot push parameters, so such a request gets a random
/// individual instead.
class EvolutionTuner final : public Tuner {
  public:
    EvolutionTuner(OptimizeMode mode, std::size_t population_size, std::uint64_t seed);

    void update_search_space(const SearchSpace& space) override;
    std::optional<nlohmann::json> generate_parameters(std::int64_t parameter_id) override;
    void receive_trial_result(std::int64_t parameter_id, const nlohmann::json& parameters,
                              double value) override;
    void trial_end(std::int64_t parameter_id, bool succeeded) override;
    std::size_t import_data(std::span<const ImportedTrial> trials) override;
    std::optional<std::uint64_t> seed() const override { return seed_; }

  private:
    struct Individual {
        Point point;
        std::optional<double> fitness;  // -loss: higher is better; empty until tried
    };

    Point mutate(const Point& parent);

    OptimizeMode mode_;
    std::size_t population_size_;
    std::uint64_t seed_;
    Rng rng_;
    SearchSpace space_;
    std::vector<Individual> population_;
    RunningTrials running_;
};

}  // namespace tshost::tuner
