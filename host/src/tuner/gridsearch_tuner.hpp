#pragma once

#include "tuner/dedup.hpp"
#include "tuner/tuner.hpp"

namespace tshost::tuner {

/// NNI's GridSearch: walks the grid described in grid.hpp, never repeating parameters, and
/// reports exhaustion (nullopt) once a finite space is fully explored.
class GridSearchTuner final : public Tuner {
  public:
    GridSearchTuner();

    /// Throws std::invalid_argument for an empty space, as NNI does.
    void update_search_space(const SearchSpace& space) override;
    std::optional<nlohmann::json> generate_parameters(std::int64_t parameter_id) override;
    void receive_trial_result(std::int64_t parameter_id, const nlohmann::json& parameters,
                              double value) override;
    std::size_t import_data(std::span<const ImportedTrial> trials) override;

  private:
    SearchSpace space_;
    Deduplicator grid_;
};

}  // namespace tshost::tuner
