#include "yaml_json.hpp"

#include <regex>
#include <string>

#include <yaml-cpp/yaml.h>

namespace tshost::jsonschema::testing {
namespace {

nlohmann::json plain_scalar(const std::string& text) {
    static const std::regex kNull("null|Null|NULL|~|");
    static const std::regex kTrue("true|True|TRUE");
    static const std::regex kFalse("false|False|FALSE");
    static const std::regex kInteger("[-+]?[0-9]+");
    static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
    if (std::regex_match(text, kNull)) {
        return nullptr;
    }
    if (std::regex_match(text, kTrue) || std::regex_match(text, kFalse)) {
        return text[0] == 't' || text[0] == 'T';
    }
    if (std::regex_match(text, kInteger)) {
        return nlohmann::json::parse(text.front() == '+' ? text.substr(1) : text);
    }
    if (std::regex_match(text, kFloat)) {
        return std::stod(text);
    }
    return text;
}

nlohmann::json convert(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Scalar:
            // yaml-cpp tags quoted scalars "!": those are always strings.
            return node.Tag() == "!" ? nlohmann::json(node.Scalar()) : plain_scalar(node.Scalar());
        case YAML::NodeType::Sequence: {
            nlohmann::json array = nlohmann::json::array();
            for (const YAML::Node& item : node) {
                array.push_back(convert(item));
            }
            return array;
        }
        case YAML::NodeType::Map: {
            nlohmann::json object = nlohmann::json::object();
            for (const auto& member : node) {
                object[member.first.as<std::string>()] = convert(member.second);
            }
            return object;
        }
        default:
            return nullptr;
    }
}

}  // namespace

nlohmann::json load_yaml_as_json(const std::filesystem::path& path) {
    return convert(YAML::LoadFile(path.string()));
}

}  // namespace tshost::jsonschema::testing
