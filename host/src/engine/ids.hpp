// Identifiers for experiments and trials: lower-case [a-z0-9] so they are valid
// in Kubernetes names and labels as they are, with no case-folding collisions.
#pragma once

#include <functional>
#include <string>

namespace tshost::engine {

/// A random id of `length` characters from [a-z0-9] that `taken` does not reject.
std::string random_id(size_t length, const std::function<bool(const std::string&)>& taken);

}  // namespace tshost::engine
