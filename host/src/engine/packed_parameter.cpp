#include "engine/packed_parameter.hpp"

namespace tshost::engine {

using nlohmann::json;

std::string pack_parameters(int64_t parameter_id, const json& parameters) {
    return json{{"parameter_id", parameter_id},
                {"parameter_source", "algorithm"},
                {"parameters", parameters},
                {"parameter_index", 0}}
        .dump();
}

json unpack_parameters(const std::string& packed) {
    const auto j = json::parse(packed, nullptr, false);
    return j.is_object() && j.contains("parameters") ? j["parameters"] : json::object();
}

}  // namespace tshost::engine
