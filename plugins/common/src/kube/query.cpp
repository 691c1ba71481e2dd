#include "kube/query.hpp"

namespace tshost::kube {

std::string percentEncode(std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        auto u = static_cast<unsigned char>(c);
        bool unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                          (u >= '0' && u <= '9') || u == '-' || u == '.' || u == '_' || u == '~';
        if (unreserved) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0xF]);
        }
    }
    return out;
}

Query& Query::add(std::string_view key, std::string_view value) {
    if (value.empty()) {
        return *this;
    }
    text_ += text_.empty() ? '?' : '&';
    text_ += percentEncode(key);
    text_ += '=';
    text_ += percentEncode(value);
    return *this;
}

std::string Query::str() const {
    return text_;
}

std::string collectionPath(const ResourceRef& ref, std::string_view namespace_name) {
    std::string path =
        ref.group.empty() ? "/api/" + ref.version : "/apis/" + ref.group + "/" + ref.version;
    if (!namespace_name.empty()) {
        path += "/namespaces/";
        path += percentEncode(namespace_name);
    }
    return path + "/" + ref.plural;
}

std::string objectPath(const ResourceRef& ref, std::string_view namespace_name,
                       std::string_view name) {
    return collectionPath(ref, namespace_name) + "/" + percentEncode(name);
}

std::string ResourceRef::displayName() const {
    return group.empty() ? plural : plural + "." + group;
}

std::string labelSelector(const std::vector<std::pair<std::string, std::string>>& labels) {
    std::string out;
    for (const auto& [key, value] : labels) {
        if (!out.empty()) {
            out += ',';
        }
        out += key + "=" + value;
    }
    return out;
}

}  // namespace tshost::kube
