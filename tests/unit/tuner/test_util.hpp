#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include "tuner/search_space.hpp"

namespace tshost::tuner::testing {

/// Index of the parameter whose error path is `path` ("searchSpace.D._value[0].dropout").
inline std::size_t spec_index(const SearchSpace& space, const std::string& path) {
    for (std::size_t i = 0; i < space.size(); ++i) {
        if (space.specs()[i].path == path) {
            return i;
        }
    }
    throw std::out_of_range("no parameter " + path);
}

}  // namespace tshost::tuner::testing
