#include "tuner/tuner.hpp"

#include "tuner/assessor.hpp"

namespace tshost::tuner {

Tuner::~Tuner() = default;

void Tuner::trial_end(std::int64_t /*parameter_id*/, bool /*succeeded*/) {}

std::size_t Tuner::import_data(std::span<const ImportedTrial> /*trials*/) {
    return 0;
}

std::optional<std::uint64_t> Tuner::seed() const {
    return std::nullopt;
}

Assessor::~Assessor() = default;

}  // namespace tshost::tuner
