#pragma once

#include "tuner/dedup.hpp"
#include "tuner/rng.hpp"
#include "tuner/tuner.hpp"

namespace tshost::tuner {

/// NNI's Random tuner: every activated parameter drawn from its prior; repeats of a finite space
/// are replaced by untried grid points until the space is exhausted.
class RandomTuner final : public Tuner {
  public:
    explicit RandomTuner(std::uint64_t seed);

    void update_search_space(const SearchSpace& space) override;
    std::optional<nlohmann::json> generate_parameters(std::int64_t parameter_id) override;
    void receive_trial_result(std::int64_t parameter_id, const nlohmann::json& parameters,
                              double value) override;
    std::size_t import_data(std::span<const ImportedTrial> trials) override;
    std::optional<std::uint64_t> seed() const override { return seed_; }

  private:
    std::uint64_t seed_;
    Rng rng_;
    SearchSpace space_;
    Deduplicator dedup_;
};

}  // namespace tshost::tuner
