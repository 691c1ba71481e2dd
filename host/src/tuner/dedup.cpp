#include "tuner/dedup.hpp"

#include <algorithm>

namespace tshost::tuner {

Deduplicator::Deduplicator(SearchSpace space) {
    change_space(std::move(space));
}

void Deduplicator::change_space(SearchSpace space) {
    space_ = std::move(space);
    grid_.reset();
    // A continuous parameter inside a nested option does not count: "not chosen" repeats.
    never_duplicates_ =
        std::any_of(space_.specs().begin(), space_.specs().end(),
                    [](const ParameterSpec& s) { return !s.parent && !s.categorical && !s.q; });
}

bool Deduplicator::is_new(const Point& point) {
    return tried_.insert(space_.to_parameters(point).dump()).second;
}

std::optional<Point> Deduplicator::operator()(Point point) {
    if (never_duplicates_ || is_new(point)) {
        return point;
    }
    return next_grid_point();
}

std::optional<Point> Deduplicator::next_grid_point() {
    if (!grid_) {
        grid_.emplace(space_);
    }
    while (auto point = grid_->next()) {
        if (is_new(*point)) {
            return point;
        }
    }
    return std::nullopt;
}

void Deduplicator::add_history(const Point& point) {
    is_new(point);
}

}  // namespace tshost::tuner
