#include "plugin/loader.hpp"

#include <boost/dll/shared_library.hpp>
#include <nlohmann/json.hpp>

#include "jsonschema/schema.hpp"
#include "plugin/abi_check.hpp"
#include "version.hpp"

namespace tshost::plugin {
namespace {

LoadResult refuse(const std::filesystem::path& path, std::vector<std::string> problems) {
    return LoadResult{std::nullopt, Refusal{path.string(), std::move(problems)}};
}

// The plugin's schema is compiled once, at load, so a broken schema is reported
// against the plugin file rather than against the user's config later.
std::shared_ptr<const jsonschema::Schema> compile_config_schema(
    const std::string& text, std::vector<std::string>& problems) {
    if (text.empty()) {
        return nullptr;
    }
    try {
        return std::make_shared<const jsonschema::Schema>(
            jsonschema::Schema::compile(nlohmann::json::parse(text)));
    } catch (const std::exception& e) {
        problems.push_back(std::string("its config schema is invalid: ") + e.what());
        return nullptr;
    }
}

}  // namespace

std::string Refusal::message() const {
    std::string out = "refused plugin " + path + ": ";
    for (size_t i = 0; i < problems.size(); ++i) {
        out += (i != 0 ? "; " : "") + problems[i];
    }
    return out;
}

LoadResult load_plugin(const std::filesystem::path& path) {
    namespace dll = boost::dll;
    auto library = std::make_shared<dll::shared_library>();
    try {
        // rtld_now reports missing dependencies here rather than at a later call;
        // rtld_local keeps one plugin's symbols from resolving another's.
        library->load(path.string(), dll::load_mode::rtld_now | dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        return refuse(path, {std::string("cannot load it: ") + e.what()});
    }
    if (!library->has(TSH_ENTRY_SYMBOL)) {
        return refuse(path, {"not a tshost plugin: it does not export " TSH_ENTRY_SYMBOL});
    }
    const auto entry =
        library->get<const tsh_plugin_info*(const tsh_host_info*, tsh_errbuf*)>(TSH_ENTRY_SYMBOL);

    const tsh_host_info host{sizeof(tsh_host_info), TSH_ABI_MAJOR, TSH_ABI_MINOR, kHostVersion};
    char message[1024] = {0};
    tsh_errbuf err{message, sizeof message};
    const tsh_plugin_info* info = entry(&host, &err);
    if (info == nullptr) {
        return refuse(path, {std::string("its entry point declined to load") +
                             (message[0] != '\0' ? ": " + std::string(message) : "")});
    }

    AbiCheck check = check_plugin_info(info);
    auto schema = check.descriptor
                      ? compile_config_schema(check.descriptor->config_schema, check.problems)
                      : nullptr;
    if (!check.problems.empty()) {
        return refuse(path, std::move(check.problems));
    }
    check.descriptor->path = path.string();
    const bool never_unload = (check.descriptor->flags & TSH_PLUGIN_NEVER_UNLOAD) != 0;
    std::shared_ptr<void> handle = library;
    if (never_unload) {
        // Deliberately leaked: the plugin asked to stay loaded until process exit.
        handle = std::shared_ptr<void>(new dll::shared_library(*library), [](void*) {});
    }
    return LoadResult{Plugin{std::move(*check.descriptor), std::move(schema), std::move(handle)},
                      std::nullopt};
}

}  // namespace tshost::plugin
