#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "tuner/search_space.hpp"

namespace tshost::tuner {

/// NNI's grid (gridsearch_tuner.py), point by point. Categorical parameters take every option.
/// A numerical parameter starts at the median of its distribution; each later epoch adds the
/// midpoints, in CDF space, of the intervals whose ends still give different user values, so
/// continuous ranges are refined forever and q ranges stop once no midpoint adds a new value.
/// Like NNI, a midpoint is added only when its value differs from both ends of its interval, so
/// a q range never yields its end values unless the median rounds onto them (quniform [1, 5, 1]
/// gives 3, 2, 4; NNI's own docstring claims otherwise, its code does this).
class Grid {
  public:
    explicit Grid(SearchSpace space);

    /// The next point not generated in an earlier epoch; nullopt once fully explored.
    std::optional<Point> next();

  private:
    std::uint64_t length(std::size_t i) const;
    Point current() const;
    void next_vector();
    void next_epoch();
    double cdf_inverse(std::size_t i, double x) const;
    bool less(std::size_t i, double x, double y) const;

    SearchSpace space_;
    std::vector<std::vector<double>> fractions_;  // numerical parameters: CDF positions
    std::vector<std::vector<std::pair<double, double>>> divisions_;
    std::vector<std::uint64_t> epoch_bar_;  // grid lengths of the previous epoch
    std::vector<std::uint64_t> vector_;     // current index into each parameter's grid
    bool in_epoch_ = false;
    bool exhausted_ = false;
};

/// Φ⁻¹: the standard normal quantile, with Φ⁻¹(0) = -inf and Φ⁻¹(1) = +inf.
double normal_quantile(double p);

}  // namespace tshost::tuner
