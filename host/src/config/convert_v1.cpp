// Legacy v1 configs (nni/tools/nnictl/config_schema.py) rewritten into the v2 shape, in place,
// the way nni/experiment/config/convert.py does, minus its bugs. Fixed here:
//   - kubeflowConfig.namespace and .reuse are kept (NNI drops them: namespace silently falls
//     back to "default");
//   - uploadRetryCount is kept, as trainingService.storage.uploadRetryCount (NNI drops it);
//   - privateRegistryAuthPath is kept per role (NNI drops it), resolved and checked;
//   - frameworkcontrollerConfig.configPath is kept, resolved and checked (NNI drops it);
//   - the TFJob `master` role is converted too, not only ps and worker;
//   - azureStorage without an explicit `storage: azureStorage` is understood (NNI's v1
//     schema rejects it with "please set storage type!");
//   - logCollection stays a plain string ("none"), not JSON text ("\"none\"") that never
//     matches on the trial side;
//   - trialCommand is not overwritten with the first FrameworkController role's command (a
//     workaround for an NNI manager bug that tshost does not have).
// Every key keeps its source location and its v1 key path, so later errors name the line and
// the key the user wrote.
#include "config/loaders.hpp"

namespace tshost::config {

namespace {

using nlohmann::json;
using Alias = std::pair<std::string_view, std::string_view>;
using Renames = std::initializer_list<std::pair<std::string_view, std::string_view>>;

constexpr std::string_view kV1TopKeys[] = {
    "authorName", "experimentName", "description", "trialConcurrency", "maxExecDuration",
    "maxTrialNum", "maxTrialDuration", "trainingServicePlatform", "searchSpacePath",
    "useAnnotation", "multiPhase", "multiThread", "nniManagerIp", "logDir", "logLevel",
    "logCollection", "debug", "versionCheck", "tuner", "assessor", "advisor", "trial",
    "localConfig", "kubeflowConfig", "frameworkcontrollerConfig",
    // tshost extensions, as in v2
    "maxTrialRetries", "port", "metricsTransport", "metricsTls"};
constexpr Alias kV2NamesInV1[] = {
    {"maxExperimentDuration",
     "this is a v1 config (it has trainingServicePlatform): use "
     "maxExecDuration, or write the whole file as v2"},
    {"maxTrialNumber", "this is a v1 config (it has trainingServicePlatform): use maxTrialNum"},
    {"searchSpaceFile",
     "this is a v1 config (it has trainingServicePlatform): use searchSpacePath"},
    {"trialCommand", "this is a v1 config (it has trainingServicePlatform): use trial.command"},
    {"trainingService", "this is a v1 config (it has trainingServicePlatform): remove one of them"},
};
constexpr std::string_view kLocalTrialKeys[] = {"command", "codeDir", "gpuNum", "nasMode"};
constexpr std::string_view kKubeflowTrialKeys[] = {"codeDir", "nasMode", "ps", "worker", "master"};
constexpr std::string_view kFrameworkControllerTrialKeys[] = {"codeDir", "nasMode", "taskRoles"};
constexpr std::string_view kLocalConfigKeys[] = {"gpuIndices", "maxTrialNumPerGpu", "useActiveGpu"};
constexpr std::string_view kKubeflowConfigKeys[] = {
    "operator",     "apiVersion",       "storage", "nfs",      "keyVault",
    "azureStorage", "uploadRetryCount", "reuse",   "namespace"};
constexpr std::string_view kFrameworkControllerConfigKeys[] = {
    "storage", "serviceAccountName", "nfs",          "namespace",       "configPath", "reuse",
    "pvc",     "keyVault",           "azureStorage", "uploadRetryCount"};
constexpr std::string_view kKubeflowRoleKeys[] = {
    "replicas", "command", "gpuNum", "cpuNum", "memoryMB", "image", "privateRegistryAuthPath"};
constexpr std::string_view kFrameworkControllerRoleKeys[] = {"name",
                                                             "taskNum",
                                                             "command",
                                                             "gpuNum",
                                                             "cpuNum",
                                                             "memoryMB",
                                                             "image",
                                                             "frameworkAttemptCompletionPolicy",
                                                             "privateRegistryAuthPath"};
constexpr std::string_view kPolicyKeys[] = {"minFailedTaskCount", "minSucceededTaskCount"};
constexpr std::string_view kNfsKeys[] = {"server", "path"};
constexpr std::string_view kKeyVaultKeys[] = {"vaultName", "name"};
constexpr std::string_view kAzureStorageKeys[] = {"accountName", "azureShare"};

constexpr std::pair<std::string_view, std::string_view> kRoleRenames[] = {
    {"replicas", "replicas"},
    {"taskNum", "taskNumber"},
    {"name", "name"},
    {"command", "command"},
    {"gpuNum", "gpuNumber"},
    {"cpuNum", "cpuNumber"},
    {"memoryMB", "memorySize"},
    {"image", "dockerImage"},
    {"privateRegistryAuthPath", "privateRegistryAuthPath"},
    {"frameworkAttemptCompletionPolicy", "frameworkAttemptCompletionPolicy"}};

std::string child(std::string_view pointer, std::string_view key) {
    return pointer_append(pointer, key);
}

// Moves the listed keys of `from` into `to` under their new names.
void move_keys(Context& ctx, std::string_view from, std::string_view to, Renames renames) {
    for (const auto& [old_name, new_name] : renames) {
        ctx.move(child(from, old_name), child(to, new_name));
    }
}

void drop(Context& ctx, const std::string& pointer, std::string_view why) {
    if (ctx.has(pointer)) {
        ctx.warn(ctx.at_key(pointer, "ignored: " + std::string(why)));
    }
    ctx.erase(pointer);
}

// Gives a container created by the conversion the location and key path of a v1 key.
void anchor(Context& ctx, std::string_view pointer, std::string_view v1_pointer) {
    if (const SourceEntry* entry = ctx.map.find(v1_pointer)) {
        ctx.map.set(std::string(pointer), *entry);
    }
}

// trainingService comes from the platform's v1 section; when that is missing, keys the v2
// stage finds missing are still reported under the section's name, at the platform line.
void anchor_section(Context& ctx, const std::string& section) {
    if (ctx.map.find(section) != nullptr) {
        anchor(ctx, "/trainingService", section);
    } else if (const SourceEntry* platform = ctx.map.find("/trainingServicePlatform")) {
        ctx.map.set("/trainingService", {platform->key, platform->value, section.substr(1)});
    }
}

void convert_algorithm(Context& ctx, std::string_view kind, std::string_view builtin_key) {
    const std::string pointer = "/" + std::string(kind);
    if (ctx.object(pointer) == nullptr) {
        return;
    }
    const std::string_view keys[] = {builtin_key,
                                     "codeDir",
                                     "classFileName",
                                     "className",
                                     "classArgs",
                                     "gpuIndices",
                                     "includeIntermediateResults"};
    ctx.canonicalize(pointer, KeySet{keys}, true);
    ctx.move(child(pointer, builtin_key), child(pointer, "name"));
    ctx.move(child(pointer, "codeDir"), child(pointer, "codeDirectory"));
    // v1 names a custom class by file and class; v2 by "module.Class".
    std::optional<std::string> file = ctx.string(child(pointer, "classFileName"));
    std::optional<std::string> name = ctx.string(child(pointer, "className"));
    if (file && name) {
        if (file->size() <= 3 || !file->ends_with(".py")) {
            ctx.error(ctx.at_value(child(pointer, "classFileName"), "must name a .py file",
                                   "e.g. classFileName: my_tuner.py"));
        }
        *ctx.find(child(pointer, "className")) = file->substr(0, file->size() - 3) + "." + *name;
    } else if (file || name) {
        ctx.missing(child(pointer, file ? "className" : "classFileName"),
                    "a custom v1 algorithm needs codeDir, classFileName and className");
    }
    ctx.erase(child(pointer, "classFileName"));
    if (kind == "assessor") {
        drop(ctx, child(pointer, "gpuIndices"), "an assessor gets no GPUs");
    } else {
        ctx.move(child(pointer, "gpuIndices"), "/tunerGpuIndices");
    }
    drop(ctx, child(pointer, "includeIntermediateResults"), "not supported by tshost");
}

void convert_storage(Context& ctx, const std::string& config) {
    const std::string storage = "/trainingService/storage";
    std::string kind = ctx.string(child(config, "storage")).value_or("");
    if (kind.empty()) {
        kind = ctx.has(child(config, "nfs"))            ? "nfs"
               : ctx.has(child(config, "azureStorage")) ? "azureStorage"
                                                        : "";
    }
    if (kind.empty()) {
        ctx.missing(child(config, "nfs"),
                    "add nfs: {server: <host>, path: <export>}, or "
                    "azureStorage and keyVault");
        return;
    }
    // The storage section sits at whichever key chose it.
    std::string chosen = ctx.has(child(config, "storage")) ? child(config, "storage")
                         : kind == "azureStorage"          ? child(config, "azureStorage")
                                                           : child(config, "nfs");
    ctx.set(storage, json::object(), {});
    anchor(ctx, storage, chosen);
    ctx.set(child(storage, "storageType"), kind, {});
    anchor(ctx, child(storage, "storageType"), chosen);
    ctx.erase(child(config, "storage"));
    const std::string nfs = child(config, "nfs");
    const std::string vault = child(config, "keyVault");
    const std::string azure = child(config, "azureStorage");
    if (kind == "nfs") {
        ctx.canonicalize(nfs, KeySet{kNfsKeys}, true);
        move_keys(ctx, nfs, storage, {{"server", "server"}, {"path", "path"}});
        ctx.erase(nfs);
    } else if (kind == "azureStorage") {
        ctx.canonicalize(vault, KeySet{kKeyVaultKeys}, true);
        ctx.canonicalize(azure, KeySet{kAzureStorageKeys}, true);
        if (!ctx.has(vault)) {
            ctx.missing(vault,
                        "add keyVault: {vaultName: <vault>, name: <secret holding the "
                        "storage key>}");
        }
        move_keys(ctx, vault, storage, {{"vaultName", "keyVaultName"}, {"name", "keyVaultKey"}});
        move_keys(ctx, azure, storage,
                  {{"accountName", "azureAccount"}, {"azureShare", "azureShare"}});
        ctx.move(child(config, "uploadRetryCount"), child(storage, "uploadRetryCount"));
        ctx.erase(vault);
        ctx.erase(azure);
    }
    // Keys of the other storage kind would be silently unused.
    for (std::string_view key : {"nfs", "keyVault", "azureStorage", "uploadRetryCount", "pvc"}) {
        if (ctx.has(child(config, key))) {
            ctx.error(ctx.at_key(child(config, key), "does not apply to storage '" + kind + "'",
                                 "remove it, or change storage"));
        }
    }
}

void convert_role(Context& ctx, const std::string& from, const std::string& to,
                  const KeySet& keys) {
    if (ctx.object(from) == nullptr) {
        ctx.erase(from);
        return;
    }
    ctx.canonicalize(from, keys, true);
    if (from != to) {
        ctx.move(from, to);
    }
    for (const auto& [old_name, new_name] : kRoleRenames) {
        if (old_name != new_name) {
            ctx.move(child(to, old_name), child(to, new_name));
        }
    }
    const std::string policy = child(to, "frameworkAttemptCompletionPolicy");
    if (ctx.object(policy) != nullptr) {
        ctx.canonicalize(policy, KeySet{kPolicyKeys}, true);
        ctx.move(child(policy, "minSucceededTaskCount"), child(policy, "minSucceedTaskCount"));
    }
}

void convert_kubeflow(Context& ctx) {
    const std::string config = "/kubeflowConfig";
    anchor_section(ctx, config);
    ctx.canonicalize(config, KeySet{kKubeflowConfigKeys}, true);
    move_keys(ctx, config, "/trainingService",
              {{"operator", "operator"},
               {"apiVersion", "apiVersion"},
               {"namespace", "namespace"},
               {"reuse", "reuseMode"}});
    convert_storage(ctx, config);
    for (std::string_view role : {"ps", "worker", "master"}) {
        std::string to = child("/trainingService", role);
        convert_role(ctx, child("/trial", role), to, KeySet{kKubeflowRoleKeys});
        // NNI's v2 KubeflowRoleConfig requires codeDirectory; convert.py copies it in.
        if (ctx.has(to) && ctx.has("/trialCodeDirectory")) {
            ctx.set(child(to, "codeDirectory"), *ctx.find("/trialCodeDirectory"), {});
            anchor(ctx, child(to, "codeDirectory"), "/trialCodeDirectory");
        }
    }
}

void convert_frameworkcontroller(Context& ctx) {
    const std::string config = "/frameworkcontrollerConfig";
    anchor_section(ctx, config);
    ctx.canonicalize(config, KeySet{kFrameworkControllerConfigKeys}, true);
    if (ctx.has(child(config, "pvc")) || ctx.string(child(config, "storage")) == "pvc") {
        ctx.error(ctx.at_key(child(config, ctx.has(child(config, "pvc")) ? "pvc" : "storage"),
                             "PVC storage is not supported",
                             "use nfs or azureStorage (PVC never worked in NNI either)"));
        ctx.erase(child(config, "pvc"));
        ctx.erase(child(config, "storage"));
        return;
    }
    move_keys(ctx, config, "/trainingService",
              {{"serviceAccountName", "serviceAccountName"},
               {"namespace", "namespace"},
               {"configPath", "configPath"},
               {"reuse", "reuseMode"}});
    convert_storage(ctx, config);
    const std::string roles = "/trainingService/taskRoles";
    ctx.move("/trial/taskRoles", roles);
    if (const json* list = ctx.find(roles); list != nullptr && list->is_array()) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            std::string role = pointer_append(roles, i);
            convert_role(ctx, role, role, KeySet{kFrameworkControllerRoleKeys});
        }
    }
}

void convert_local(Context& ctx) {
    const std::string config = "/localConfig";
    if (ctx.object(config) == nullptr) {
        return;
    }
    anchor(ctx, "/trainingService", config);
    ctx.canonicalize(config, KeySet{kLocalConfigKeys}, true);
    move_keys(ctx, config, "/trainingService",
              {{"gpuIndices", "gpuIndices"},
               {"maxTrialNumPerGpu", "maxTrialNumberPerGpu"},
               {"useActiveGpu", "useActiveGpu"}});
}

void convert_trial(Context& ctx, std::string_view platform) {
    const std::string trial = "/trial";
    // Missing trial keys are reported by the v2 stage under the v2 names; give them v1 paths.
    for (auto [v2, v1] : {std::pair{"/trialCommand", "trial.command"},
                          std::pair{"/trialCodeDirectory", "trial.codeDir"}}) {
        ctx.map.set(v2, {ctx.map.key_location(trial), {}, v1});
    }
    if (ctx.object(trial) == nullptr) {
        return;
    }
    ctx.canonicalize(trial,
                     platform == "local"      ? KeySet{kLocalTrialKeys}
                     : platform == "kubeflow" ? KeySet{kKubeflowTrialKeys}
                                              : KeySet{kFrameworkControllerTrialKeys},
                     true);
    move_keys(ctx, trial, "",
              {{"command", "trialCommand"},
               {"codeDir", "trialCodeDirectory"},
               {"gpuNum", "trialGpuNumber"}});
    drop(ctx, child(trial, "nasMode"), "NAS is not supported by tshost");
}

}  // namespace

void convert_v1(Context& ctx) {
    ctx.canonicalize("", KeySet{kV1TopKeys, {}, kV2NamesInV1}, true);
    const std::string platform_key = "/trainingServicePlatform";
    std::optional<std::string> platform = ctx.string(platform_key);
    if (!platform) {
        ctx.missing(platform_key,
                    "trainingServicePlatform: frameworkcontroller, kubeflow or local");
        return;
    }
    if (*platform != "local" && *platform != "kubeflow" && *platform != "frameworkcontroller") {
        ctx.error(ctx.at_value(platform_key,
                               "platform '" + *platform + "' is not supported by tshost",
                               "use frameworkcontroller, kubeflow or local"));
        return;
    }
    drop(ctx, "/authorName", "v2 has no author");
    drop(ctx, "/description", "v2 has no description");
    drop(ctx, "/multiThread", "the dispatcher is always single-threaded in tshost");
    if (ctx.boolean("/multiPhase").value_or(false)) {
        ctx.error(ctx.at_value("/multiPhase", "multi-phase experiments are not supported",
                               "NNI dropped them too; remove multiPhase"));
    }
    ctx.erase("/multiPhase");
    move_keys(ctx, "", "",
              {{"maxExecDuration", "maxExperimentDuration"},
               {"maxTrialNum", "maxTrialNumber"},
               {"searchSpacePath", "searchSpaceFile"},
               {"logDir", "experimentWorkingDirectory"}});
    if (!ctx.has("/searchSpaceFile")) {
        ctx.map.set("/searchSpaceFile", {{}, {}, "searchSpacePath"});
    }
    convert_trial(ctx, *platform);
    convert_algorithm(ctx, "tuner", "builtinTunerName");
    convert_algorithm(ctx, "assessor", "builtinAssessorName");
    convert_algorithm(ctx, "advisor", "builtinAdvisorName");

    ctx.set("/trainingService", json::object(), *ctx.map.find(platform_key));
    ctx.move(platform_key, "/trainingService/platform");
    if (*platform == "local") {
        convert_local(ctx);
    } else if (*platform == "kubeflow") {
        convert_kubeflow(ctx);
    } else {
        convert_frameworkcontroller(ctx);
    }
    // Everything known has moved; what is left was reported already, or belongs to another
    // platform (a kubeflowConfig next to trainingServicePlatform: local, say).
    for (std::string_view section : {"local", "kubeflow", "frameworkcontroller"}) {
        std::string pointer = "/" + std::string(section) + "Config";
        if (section != *platform && ctx.has(pointer)) {
            ctx.warn(ctx.at_key(
                pointer, "ignored: it does not apply to trainingServicePlatform " + *platform));
        }
        ctx.erase(pointer);
    }
    ctx.erase("/trial");
}

}  // namespace tshost::config
