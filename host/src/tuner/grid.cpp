#include "tuner/grid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace tshost::tuner {

double normal_quantile(double p) {
    if (!(p > 0)) {
        return -std::numeric_limits<double>::infinity();
    }
    if (!(p < 1)) {
        return std::numeric_limits<double>::infinity();
    }
    // Acklam's rational approximation (relative error 1e-9), then one Halley step on erfc
    // brings it to full double precision.
    static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                   -2.759285104469687e+02, 1.383577518672690e+02,
                                   -3.066479806614716e+01, 2.506628277459239e+00};
    static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                   -1.556989798598866e+02, 6.680131188771972e+01,
                                   -1.328068155288572e+01};
    static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                   -2.400758277161838e+00, -2.549732539343734e+00,
                                   4.374664141464968e+00,  2.938163982698783e+00};
    static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                   2.445134137142996e+00, 3.754408661907416e+00};
    constexpr double p_low = 0.02425;
    const auto tail = [&](double t) {
        const double u = std::sqrt(-2 * std::log(t));
        return (((((c[0] * u + c[1]) * u + c[2]) * u + c[3]) * u + c[4]) * u + c[5]) /
               ((((d[0] * u + d[1]) * u + d[2]) * u + d[3]) * u + 1);
    };
    double x = 0;
    if (p < p_low) {
        x = tail(p);
    } else if (p > 1 - p_low) {
        x = -tail(1 - p);
    } else {
        const double q = p - 0.5;
        const double r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    const double e = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
    const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

Grid::Grid(SearchSpace space)
    : space_(std::move(space)),
      fractions_(space_.size()),
      divisions_(space_.size()),
      epoch_bar_(space_.size(), 0) {
    for (std::size_t i = 0; i < space_.size(); ++i) {
        if (space_.specs()[i].categorical) {
            continue;
        }
        fractions_[i] = {0.5};
        if (less(i, 0, 0.5)) {
            divisions_[i].emplace_back(0, 0.5);
        }
        if (less(i, 0.5, 1)) {
            divisions_[i].emplace_back(0.5, 1);
        }
    }
}

std::uint64_t Grid::length(std::size_t i) const {
    const auto& spec = space_.specs()[i];
    return spec.categorical ? spec.size : fractions_[i].size();
}

double Grid::cdf_inverse(std::size_t i, double x) const {
    const auto& spec = space_.specs()[i];
    return spec.normal_distributed ? spec.mu + spec.sigma * normal_quantile(x)
                                   : spec.low + (spec.high - spec.low) * x;
}

bool Grid::less(std::size_t i, double x, double y) const {
    const auto real = [&](double fraction) {
        const double v = cdf_inverse(i, fraction);
        return std::isinf(v) ? v : space_.specs()[i].to_user_number(v);
    };
    return real(x) < real(y);
}

Point Grid::current() const {
    Point point(space_.size());
    for (std::size_t i = 0; i < space_.size(); ++i) {
        if (space_.is_active(i, point)) {
            point[i] = space_.specs()[i].categorical ? static_cast<double>(vector_[i])
                                                     : cdf_inverse(i, fractions_[i][vector_[i]]);
        }
    }
    return point;
}

void Grid::next_vector() {
    if (!in_epoch_) {
        vector_.assign(space_.size(), 0);
        in_epoch_ = true;
        return;
    }
    // Odometer over the parameters the current point uses: unchosen nested options stay put.
    const Point point = current();
    for (std::size_t i = space_.size(); i-- > 0;) {
        if (!space_.is_active(i, point)) {
            continue;
        }
        if (vector_[i] + 1 < length(i)) {
            ++vector_[i];
            return;
        }
        vector_[i] = 0;
    }
    in_epoch_ = false;
}

void Grid::next_epoch() {
    bool updated = false;
    for (std::size_t i = 0; i < space_.size(); ++i) {
        epoch_bar_[i] = length(i);
        if (space_.specs()[i].categorical) {
            continue;
        }
        std::vector<std::pair<double, double>> divisions;
        for (const auto& [l, r] : divisions_[i]) {
            const double mid = (l + r) / 2;
            const bool differs_left = less(i, l, mid);
            const bool differs_right = less(i, mid, r);
            if (differs_left && differs_right) {
                fractions_[i].push_back(mid);
                updated = true;
            }
            if (differs_left) {
                divisions.emplace_back(l, mid);
            }
            if (differs_right) {
                divisions.emplace_back(mid, r);
            }
        }
        divisions_[i] = std::move(divisions);
    }
    exhausted_ = !updated;
}

std::optional<Point> Grid::next() {
    while (!exhausted_) {
        next_vector();
        if (!in_epoch_) {
            next_epoch();
            continue;
        }
        bool explored_before = true;
        for (std::size_t i = 0; i < space_.size(); ++i) {
            explored_before = explored_before && vector_[i] < epoch_bar_[i];
        }
        if (!explored_before) {
            return current();
        }
    }
    return std::nullopt;
}

}  // namespace tshost::tuner
