// How far apart two words are as typing slips go: the measure behind every "did you
// mean" of the validator, and of the config loader for misspelled keys.
#pragma once

#include <cstddef>
#include <string_view>

namespace tshost::jsonschema {

/// Optimal string alignment distance: insertions, deletions, substitutions and
/// adjacent transpositions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace tshost::jsonschema
