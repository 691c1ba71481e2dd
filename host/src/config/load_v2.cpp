// The top level of an NNI v2 config (nni/experiment/config/experiment_config.py), with
// tshost's extensions: maxTrialRetries, port, and v1's versionCheck / logCollection.
#include <climits>

#include "config/document.hpp"
#include "config/loaders.hpp"

namespace tshost::config {

namespace {

using nlohmann::json;
using Alias = std::pair<std::string_view, std::string_view>;

constexpr std::string_view kV2TopKeys[] = {
    "experimentName", "experimentType", "searchSpaceFile", "searchSpace", "trialCommand",
    "trialCodeDirectory", "trialConcurrency", "trialGpuNumber", "maxExperimentDuration",
    "maxTrialNumber", "maxTrialDuration", "nniManagerIp", "useAnnotation", "debug", "logLevel",
    "experimentWorkingDirectory", "tunerGpuIndices", "tuner", "assessor", "advisor",
    "trainingService", "sharedStorage",
    // tshost extensions
    "maxTrialRetries", "port", "versionCheck", "logCollection", "metricsTransport", "metricsTls"};
// v1 keys someone may carry over into a v2 file.
constexpr Alias kV1NamesInV2[] = {
    {"maxExecDuration", "that is the v1 name; in v2 it is maxExperimentDuration"},
    {"maxTrialNum", "that is the v1 name; in v2 it is maxTrialNumber"},
    {"searchSpacePath", "that is the v1 name; in v2 it is searchSpaceFile"},
    {"logDir", "that is the v1 name; in v2 it is experimentWorkingDirectory"},
    {"trial",
     "that is v1; in v2 write trialCommand and trialCodeDirectory at the top level, "
     "and roles inside trainingService"},
    {"authorName", "v2 has no author; remove it"},
    {"kubeflowConfig", "that is v1; in v2 these keys go inside trainingService"},
    {"frameworkcontrollerConfig", "that is v1; in v2 these keys go inside trainingService"},
};
constexpr std::string_view kAlgorithmKeys[] = {"name", "className", "codeDirectory", "classArgs"};
constexpr Alias kAlgorithmRenamed[] = {
    {"builtinTunerName", "that is the v1 name; in v2 it is name"},
    {"builtinAssessorName", "that is the v1 name; in v2 it is name"},
    {"builtinAdvisorName", "that is the v1 name; in v2 it is name"},
    {"codeDir", "that is the v1 name; in v2 it is codeDirectory"},
    {"classFileName", "in v2, className is \"module.Class\" and there is no classFileName"},
};
constexpr std::string_view kLogLevels[] = {"fatal", "error", "warning", "info", "debug", "trace"};

std::optional<Algorithm> read_algorithm(Context& ctx, const std::string& pointer) {
    if (ctx.object(pointer) == nullptr) {
        return std::nullopt;
    }
    ctx.canonicalize(pointer, KeySet{kAlgorithmKeys, {}, kAlgorithmRenamed}, true);
    Algorithm algorithm;
    std::optional<std::string> name = ctx.string(pointer + "/name");
    std::optional<std::string> class_name = ctx.string(pointer + "/className");
    if (name && class_name) {
        ctx.error(ctx.at_key(pointer + "/className", "name and className are both set",
                             "a built-in algorithm needs only name; a custom one className "
                             "(and codeDirectory)"));
    } else if (!ctx.has(pointer + "/name") && !ctx.has(pointer + "/className")) {
        ctx.missing(pointer + "/name", "e.g. name: TPE");
    }
    if ((name && name->empty()) || (class_name && class_name->empty())) {
        ctx.error(ctx.at_value(pointer + (name ? "/name" : "/className"), "must not be empty"));
    }
    algorithm.name = name.value_or("");
    algorithm.class_name = class_name.value_or("");
    if (ctx.has(pointer + "/codeDirectory")) {
        if (!class_name) {
            ctx.error(ctx.at_key(pointer + "/codeDirectory",
                                 "only a custom algorithm (className) "
                                 "has a codeDirectory",
                                 "remove it"));
        }
        algorithm.code_directory =
            ctx.path(pointer + "/codeDirectory", Context::PathKind::Directory).value_or("");
    }
    if (const json* args = ctx.object(pointer + "/classArgs")) {
        algorithm.class_args = *args;
    }
    return algorithm;
}

void read_tuners(Context& ctx, ExperimentConfig& config) {
    bool tuner = ctx.has("/tuner"), advisor = ctx.has("/advisor");
    if (tuner && advisor) {
        ctx.error(ctx.at_key("/advisor", "tuner and advisor are both set",
                             "advisor is NNI's deprecated name for tuner; keep tuner"));
    } else if (!tuner && !advisor) {
        ctx.missing("/tuner",
                    "NNI needs one too; e.g. tuner: {name: TPE, classArgs: "
                    "{optimize_mode: maximize}}");
    } else if (advisor) {
        ctx.move("/advisor", "/tuner");
    }
    if (auto algorithm = read_algorithm(ctx, "/tuner")) {
        config.tuner = std::move(*algorithm);
    }
    config.assessor = read_algorithm(ctx, "/assessor");
}

void read_search_space(Context& ctx, ExperimentConfig& config) {
    bool annotation = ctx.boolean("/useAnnotation").value_or(false);
    if (annotation) {
        ctx.error(ctx.at_value("/useAnnotation", "NNI annotations are not supported",
                               "remove useAnnotation and give searchSpace or searchSpaceFile"));
    }
    bool inline_space = ctx.has("/searchSpace");
    bool file = ctx.has("/searchSpaceFile");
    if (inline_space && file) {
        ctx.error(ctx.at_key("/searchSpaceFile", "searchSpace and searchSpaceFile are both set",
                             "keep one"));
        return;
    }
    if (!inline_space && !file) {
        if (!annotation) {
            ctx.missing("/searchSpaceFile",
                        "give searchSpaceFile: search_space.json, or an "
                        "inline searchSpace mapping");
        }
        return;
    }
    if (inline_space) {
        if (const json* space = ctx.object("/searchSpace")) {
            config.search_space = *space;
        }
        return;
    }
    std::optional<std::string> path = ctx.path("/searchSpaceFile", Context::PathKind::File);
    if (!path) {
        return;
    }
    config.search_space_file = *path;
    // The model's searchSpace points into the search space file; searchSpace itself at the
    // key that named the file.
    if (const json* space = ctx.include_mapping(
            "/searchSpaceFile", *path, "/searchSpace", "searchSpace",
            "the search space file must hold a mapping of parameter names",
            "e.g. {\"lr\": {\"_type\": \"loguniform\", \"_value\": [0.0001, 0.1]}}")) {
        config.search_space = *space;
    }
}

std::vector<int> read_gpu_indices(Context& ctx, const std::string& pointer) {
    const json* v = ctx.find(pointer);
    if (v == nullptr) {
        return {};
    }
    auto fail = [&] {
        ctx.error(ctx.at_value(pointer,
                               "expected GPU indices: a number, a list of numbers or "
                               "\"0,1\", got " +
                                   describe(*v)));
        return std::vector<int>();
    };
    std::vector<int> out;
    if (v->is_string()) {
        std::string text = v->get<std::string>();
        std::size_t start = 0;
        while (start <= text.size()) {
            std::size_t comma = std::min(text.find(',', start), text.size());
            std::string item = text.substr(start, comma - start);
            if (item.empty() || item.size() > 4 ||
                item.find_first_not_of("0123456789") != std::string::npos) {
                return fail();
            }
            out.push_back(std::stoi(item));
            start = comma + 1;
        }
        return out;
    }
    if (v->is_array()) {
        for (std::size_t i = 0; i < v->size(); ++i) {
            auto index = ctx.integer(pointer_append(pointer, i), 0, 1023);
            if (index) {
                out.push_back(static_cast<int>(*index));
            }
        }
        return out;
    }
    if (v->is_number()) {
        if (auto index = ctx.integer(pointer, 0, 1023)) {
            out.push_back(static_cast<int>(*index));
        }
        return out;
    }
    return fail();
}

template <std::size_t N>
std::optional<std::string> one_of(Context& ctx, std::string_view pointer,
                                  const std::string_view (&allowed)[N]) {
    std::optional<std::string> value = ctx.string(pointer);
    if (!value) {
        return std::nullopt;
    }
    std::string list;
    for (std::string_view a : allowed) {
        if (a == *value) {
            return value;
        }
        list += (list.empty() ? "" : ", ") + std::string(a);
    }
    ctx.error(ctx.at_value(pointer, "unknown value '" + *value + "'", "use one of: " + list));
    return std::nullopt;
}

void read_experiment(Context& ctx, ExperimentConfig& config) {
    config.experiment_name = ctx.string("/experimentName").value_or("");
    if (auto type = ctx.string("/experimentType"); type && *type != "hpo") {
        ctx.error(ctx.at_value("/experimentType",
                               *type == "nas" ? "NAS experiments are not supported"
                                              : "unknown experiment type '" + *type + "'",
                               "tshost runs hyperparameter tuning: experimentType: hpo"));
    }
    if (!ctx.has("/trialConcurrency")) {
        ctx.missing("/trialConcurrency", "e.g. trialConcurrency: 1");
    }
    config.trial_concurrency =
        static_cast<int>(ctx.integer("/trialConcurrency", 1, INT_MAX).value_or(1));
    config.trial_gpu_number = ctx.number("/trialGpuNumber", 0).value_or(0);
    config.max_trial_number = ctx.integer("/maxTrialNumber", 1, INT64_MAX);
    config.max_experiment_duration = ctx.duration("/maxExperimentDuration");
    config.max_trial_duration = ctx.duration("/maxTrialDuration");
    config.max_trial_retries =
        static_cast<int>(ctx.integer("/maxTrialRetries", 0, 1000).value_or(0));
    config.nni_manager_ip = ctx.string("/nniManagerIp").value_or("");
    config.debug = ctx.boolean("/debug").value_or(false);
    config.log_level =
        one_of(ctx, "/logLevel", kLogLevels).value_or(config.debug ? "debug" : "info");
    if (ctx.has("/experimentWorkingDirectory")) {
        config.experiment_working_directory =
            ctx.path("/experimentWorkingDirectory", Context::PathKind::Any).value_or("");
    }
    config.tuner_gpu_indices = read_gpu_indices(ctx, "/tunerGpuIndices");
    if (ctx.has("/sharedStorage")) {
        ctx.error(ctx.at_key("/sharedStorage", "NNI's sharedStorage is not supported",
                             "put the storage in trainingService.storage"));
    }
    config.port = static_cast<int>(ctx.integer("/port", 1, 65534).value_or(8080));
    config.version_check = ctx.boolean("/versionCheck");
    static constexpr std::string_view kLogCollection[] = {"http", "none"};
    config.log_collection = one_of(ctx, "/logCollection", kLogCollection);
    static constexpr std::string_view kMetricsTransports[] = {"push", "storage"};
    config.metrics_transport =
        one_of(ctx, "/metricsTransport", kMetricsTransports).value_or("push");
    config.metrics_tls = ctx.boolean("/metricsTls").value_or(false);
}

void read_trial(Context& ctx, ExperimentConfig& config) {
    config.trial_command = ctx.string("/trialCommand").value_or("");
    // Kubeflow and FrameworkController roles carry their own commands.
    const std::string& platform = config.platform.plugin;
    bool roles = platform == "frameworkcontroller" || platform.starts_with("kubeflow-");
    if (!platform.empty() && !roles && !ctx.has("/trialCommand")) {
        ctx.missing("/trialCommand", "e.g. trialCommand: python3 trial.py");
    }
    if (ctx.has("/trialCodeDirectory")) {
        config.trial_code_directory =
            ctx.path("/trialCodeDirectory", Context::PathKind::Directory).value_or("");
    } else {
        config.trial_code_directory = ctx.resolve(".");  // NNI's default
    }
}

}  // namespace

void load_v2(Context& ctx, ExperimentConfig& config) {
    ctx.canonicalize("", KeySet{kV2TopKeys, {}, kV1NamesInV2}, true);
    prepare_training_service(ctx);
    read_experiment(ctx, config);
    read_search_space(ctx, config);
    read_tuners(ctx, config);
    load_training_service(ctx, config);
    read_trial(ctx, config);
    // NNI warns about this too: it is the most common reason trials never report back.
    if (config.nni_manager_ip.empty() && !config.platform.plugin.empty() &&
        config.platform.plugin != "local") {
        ctx.warn(ctx.at_key("/trainingService",
                            "nniManagerIp is not set; trials on the cluster must be able to "
                            "reach this host's own address",
                            "set nniManagerIp to an address the pods can reach"));
    }
}

}  // namespace tshost::config
