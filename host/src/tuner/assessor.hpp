#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tshost::tuner {

enum class AssessResult { Good, Bad };

/// A built-in assessor (early stopping), fed the ordered intermediate "default" metrics.
class Assessor {
  public:
    virtual ~Assessor();
    virtual AssessResult assess_trial(std::string_view trial_id,
                                      const std::vector<double>& intermediate_history) = 0;
    virtual void trial_end(std::string_view trial_id, bool succeeded) = 0;
};

/// Creates a built-in assessor by NNI name (case-insensitive): Medianstop. Unknown names or
/// classArgs throw std::invalid_argument with a message for the user.
std::unique_ptr<Assessor> make_assessor(std::string_view name, const nlohmann::json& class_args);

}  // namespace tshost::tuner
