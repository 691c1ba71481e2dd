#pragma once

#include <optional>
#include <string>
#include <unordered_set>

#include "tuner/grid.hpp"
#include "tuner/search_space.hpp"

namespace tshost::tuner {

/// NNI's Deduplicator (hpo_utils/dedup.py): remembers the parameters handed out and replaces a
/// repeat with the next untried grid point, so a finite space is never tried twice and its
/// exhaustion is noticed. Spaces with a continuous top-level parameter never repeat, so nothing
/// is remembered for them.
class Deduplicator {
  public:
    explicit Deduplicator(SearchSpace space);

    /// Switches to an edited space but keeps the tried parameters, as NNI's GridSearch does.
    void change_space(SearchSpace space);

    /// `point` if its parameters are new, otherwise the next untried grid point; nullopt when
    /// every point has been tried.
    std::optional<Point> operator()(Point point);
    /// The next grid point whose parameters were not tried yet (GridSearch); nullopt at the end.
    std::optional<Point> next_grid_point();
    /// Marks a point as tried (finished trials of a resumed experiment).
    void add_history(const Point& point);

  private:
    bool is_new(const Point& point);

    SearchSpace space_;
    bool never_duplicates_ = false;
    std::unordered_set<std::string> tried_;  // canonical JSON (sorted keys) of parameters
    std::optional<Grid> grid_;               // created on the first repeat
};

}  // namespace tshost::tuner
