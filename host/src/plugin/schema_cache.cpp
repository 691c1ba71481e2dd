#include "plugin/schema_cache.hpp"

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "jsonschema/schema.hpp"

namespace tshost::plugin {

std::shared_ptr<const jsonschema::Schema> cached_schema(std::string_view schema_text) {
    // A handful of distinct schemas per experiment: past this bound something is
    // generating schemas, and keeping them all would only grow memory.
    constexpr size_t kMaxEntries = 64;
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const jsonschema::Schema>, std::less<>> cache;

    {
        std::lock_guard lock(mutex);
        if (const auto it = cache.find(schema_text); it != cache.end()) {
            return it->second;
        }
    }
    auto schema = std::make_shared<const jsonschema::Schema>(
        jsonschema::Schema::compile(nlohmann::json::parse(schema_text)));
    std::lock_guard lock(mutex);
    if (cache.size() >= kMaxEntries) {
        cache.clear();
    }
    cache.emplace(std::string(schema_text), schema);
    return schema;
}

}  // namespace tshost::plugin
