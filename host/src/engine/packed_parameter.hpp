// NNI's packed parameter: the content of a trial's parameter.cfg (nni-protocol §3.4),
// {"parameter_id", "parameter_source", "parameters", "parameter_index"}.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace tshost::engine {

std::string pack_parameters(int64_t parameter_id, const nlohmann::json& parameters);
/// The "parameters" member, or an empty object for text that is not a packed parameter.
nlohmann::json unpack_parameters(const std::string& packed);

}  // namespace tshost::engine
