#include <algorithm>
#include <tuple>

#include "config/document.hpp"
#include "config/experiment_config.hpp"
#include "config/loaders.hpp"

namespace tshost::config {

namespace {

// Problems in file order, the config's own file first (a search space file may follow).
void sort_by_position(std::vector<Diagnostic>& diagnostics, const std::string& main_file) {
    std::stable_sort(
        diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& a, const Diagnostic& b) {
            return std::tuple(a.where.file != main_file, a.where.file, a.where.line,
                              a.where.column) < std::tuple(b.where.file != main_file, b.where.file,
                                                           b.where.line, b.where.column);
        });
}

// A file of garbage can produce thousands of problems; the first ones are what a user reads.
std::vector<Diagnostic> first_problems(std::vector<Diagnostic> diagnostics,
                                       const std::string& main_file) {
    constexpr std::size_t kMax = 50;
    sort_by_position(diagnostics, main_file);
    if (diagnostics.size() > kMax) {
        std::size_t more = diagnostics.size() - kMax;
        diagnostics.resize(kMax);
        diagnostics.push_back(
            {{main_file, 0, 0}, "", "... and " + std::to_string(more) + " more problems", {}});
    }
    return diagnostics;
}

bool is_v1(const nlohmann::json& doc) {
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        if (normalize_key(it.key()) == "trainingserviceplatform") {
            return true;
        }
    }
    return false;
}

ExperimentConfig load(const std::filesystem::path& path) {
    ExperimentConfig config;
    std::error_code ec;
    std::filesystem::path absolute = std::filesystem::absolute(path, ec).lexically_normal();
    config.file = (ec ? path : absolute).string();
    std::vector<Diagnostic> errors;
    std::optional<Document> doc = read_document(config.file, "", errors);
    if (!doc) {
        throw ConfigError(first_problems(std::move(errors), config.file));
    }
    if (!doc->value.is_object()) {
        bool empty = doc->value.is_null();
        throw ConfigError(
            {{{config.file, empty ? 0 : 1, empty ? 0 : 1},
              "",
              empty ? "the file is empty"
                    : "expected a mapping of keys at the top level, got " + describe(doc->value),
              "an experiment config needs at least searchSpace, trialCommand, "
              "trialConcurrency, tuner and trainingService"}});
    }
    Context ctx(doc->value, doc->map, std::filesystem::path(config.file).parent_path());
    ctx.errors = std::move(errors);  // the parser's non-fatal ones (duplicate keys)
    if (is_v1(doc->value)) {
        config.source_version = 1;
        convert_v1(ctx);
    }
    load_v2(ctx, config);
    if (!ctx.errors.empty()) {
        throw ConfigError(first_problems(std::move(ctx.errors), config.file));
    }
    sort_by_position(ctx.warnings, config.file);
    config.warnings = std::move(ctx.warnings);
    config.source_map = std::move(doc->map);
    return config;
}

}  // namespace

ExperimentConfig load_config(const std::filesystem::path& file) {
    try {
        return load(file);
    } catch (const ConfigError&) {
        throw;
    } catch (const std::exception& e) {
        // A bug here must still reach the user as a config problem, not a crash.
        throw ConfigError(
            {{{file.string(), 0, 0}, "", std::string("cannot load: ") + e.what(), {}}});
    }
}

}  // namespace tshost::config
