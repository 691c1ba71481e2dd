// trainingService (NNI v2, nni/experiment/config/training_services/*.py) → plugin sections.
// The keys inside a platform or storage section belong to the plugin's schema; here they
// are only spelled canonically and normalised (memory sizes, paths), so that a schema sees one
// form whatever the user wrote.
#include <algorithm>
#include <cctype>

#include "config/loaders.hpp"

namespace tshost::config {

namespace {

using nlohmann::json;
using Alias = std::pair<std::string_view, std::string_view>;

constexpr std::string_view kTs = "/trainingService";
constexpr std::string_view kStorage = "/trainingService/storage";

// Keys NNI accepts at the top level and copies into the training service when missing there.
constexpr std::string_view kShortcuts[] = {"trialCommand", "trialCodeDirectory", "trialGpuNumber",
                                           "nniManagerIp", "debug"};

constexpr std::string_view kLocalKeys[] = {
    "platform",     "storage", "trialCommand", "trialCodeDirectory", "trialGpuNumber",
    "nniManagerIp", "debug",   "reuseMode",    "useActiveGpu",       "maxTrialNumberPerGpu",
    "gpuIndices"};
constexpr std::string_view kKubeflowKeys[] = {
    "platform",     "storage", "trialCommand", "trialCodeDirectory", "trialGpuNumber",
    "nniManagerIp", "debug",   "reuseMode",    "operator",           "apiVersion",
    "worker",       "ps",      "master",       "namespace"};
constexpr std::string_view kFrameworkControllerKeys[] = {
    "platform",     "storage",    "trialCommand", "trialCodeDirectory", "trialGpuNumber",
    "nniManagerIp", "debug",      "reuseMode",    "serviceAccountName", "taskRoles",
    "namespace",    "apiVersion", "configPath",   "frameworkTemplate"};
constexpr std::string_view kKubeflowRoleKeys[] = {
    "replicas",   "command",     "gpuNumber",     "cpuNumber",
    "memorySize", "dockerImage", "codeDirectory", "privateRegistryAuthPath"};
constexpr std::string_view kFrameworkControllerRoleKeys[] = {"name",
                                                             "dockerImage",
                                                             "taskNumber",
                                                             "command",
                                                             "gpuNumber",
                                                             "cpuNumber",
                                                             "memorySize",
                                                             "frameworkAttemptCompletionPolicy",
                                                             "privateRegistryAuthPath"};
// NNI v2 spells it minSucceedTaskCount; FrameworkController and NNI v1 spell it
// minSucceededTaskCount. Both are accepted (NNI rejects the latter).
constexpr std::string_view kPolicyKeys[] = {"minFailedTaskCount", "minSucceedTaskCount"};
constexpr Alias kPolicyAliases[] = {{"minSucceededTaskCount", "minSucceedTaskCount"}};
constexpr std::string_view kStorageKeys[] = {"storageType",  "server",          "path",
                                             "azureAccount", "azureShare",      "keyVaultName",
                                             "keyVaultKey",  "uploadRetryCount"};

// NNI platforms that tshost has no plugin for.
constexpr std::string_view kUnsupportedPlatforms[] = {"remote", "openpai", "pai",   "aml",
                                                      "dlc",    "adl",     "hybrid"};

struct KnownName {
    std::string_view nni;     // as written in the config
    std::string_view plugin;  // "" when another key decides (kubeflow's operator)
};
constexpr KnownName kPlatforms[] = {
    {"local", "local"}, {"kubeflow", ""}, {"frameworkcontroller", "frameworkcontroller"}};
constexpr KnownName kStorages[] = {{"nfs", "nfs"}, {"azureStorage", "azure-file"}};

bool plugin_name(std::string_view name) {
    if (name.empty() || name.size() > 64 ||
        std::isalnum(static_cast<unsigned char>(name[0])) == 0) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (std::islower(static_cast<unsigned char>(c)) != 0) ||
               (std::isdigit(static_cast<unsigned char>(c)) != 0) || c == '-' || c == '_' ||
               c == '.';
    });
}

// The known name `value` stands for (spelled in any case), "" for a third-party plugin, or an
// error (reported) for a near miss or a malformed name. Returns nullopt on error.
template <std::size_t N>
std::optional<std::string> match_name(Context& ctx, std::string_view pointer,
                                      const std::string& value, const KnownName (&known)[N],
                                      std::string_view what) {
    std::string known_list;
    for (const KnownName& k : known) {
        if (normalize_key(k.nni) == normalize_key(value)) {
            return std::string(k.nni);
        }
        known_list += (known_list.empty() ? "" : ", ") + std::string(k.nni);
    }
    for (const KnownName& k : known) {
        // A third-party plugin this close to a built-in name is far less likely than a typo.
        if (edit_distance(normalize_key(k.nni), normalize_key(value)) <= 2) {
            ctx.error(ctx.at_value(pointer, "unknown " + std::string(what) + " '" + value + "'",
                                   "did you mean '" + std::string(k.nni) + "'?"));
            return std::nullopt;
        }
    }
    if (!plugin_name(value)) {
        ctx.error(ctx.at_value(pointer, "unknown " + std::string(what) + " '" + value + "'",
                               "use " + known_list + ", or the name of an installed plugin"));
        return std::nullopt;
    }
    return std::string();
}

void normalize_role(Context& ctx, const std::string& role, const KeySet& keys) {
    if (ctx.object(role) == nullptr) {
        return;
    }
    ctx.canonicalize(role, keys, false);
    ctx.normalize_memory(role + "/memorySize");
    if (ctx.has(role + "/privateRegistryAuthPath")) {
        ctx.path(role + "/privateRegistryAuthPath", Context::PathKind::File);
    }
    if (ctx.has(role + "/codeDirectory")) {
        ctx.path(role + "/codeDirectory", Context::PathKind::Any);
    }
    std::string policy = role + "/frameworkAttemptCompletionPolicy";
    if (ctx.object(policy) != nullptr) {
        ctx.canonicalize(policy, KeySet{kPolicyKeys, kPolicyAliases}, false);
    }
}

std::optional<std::string> kubeflow_plugin(Context& ctx) {
    const std::string op = std::string(kTs) + "/operator";
    std::optional<std::string> name = ctx.string(op);
    if (!ctx.has(op)) {
        ctx.missing(op, "add operator: tf-operator (TFJob) or pytorch-operator (PyTorchJob)");
        return std::nullopt;
    }
    if (name == "tf-operator") {
        return "kubeflow-tf";
    }
    if (name == "pytorch-operator") {
        return "kubeflow-pytorch";
    }
    if (name) {
        ctx.error(ctx.at_value(op, "unknown operator '" + *name + "'",
                               "use tf-operator or pytorch-operator"));
    }
    return std::nullopt;
}

// FrameworkController's template mode (NNI's configPath): the user's Framework YAML is read here,
// with its lines, into the section as frameworkTemplate, so the plugin's schema reports problems
// at the template's file, line and column. A section that already holds frameworkTemplate (the
// saved config of an experiment being resumed) keeps it and does not read the file again: a
// resumed experiment runs with the template it started with, even if the file changed or went.
void load_framework_template(Context& ctx) {
    const std::string config_path = std::string(kTs) + "/configPath";
    const std::string inline_template = std::string(kTs) + "/frameworkTemplate";
    const std::string roles = std::string(kTs) + "/taskRoles";
    const bool template_mode = ctx.has(config_path) || ctx.has(inline_template);
    if (!template_mode) {
        if (!ctx.has(roles)) {
            ctx.missing(roles,
                        "add taskRoles: [{name: worker, taskNumber: 1, command: ..., ...}], or "
                        "configPath: <a Framework YAML> (template mode)");
        }
        return;
    }
    if (ctx.has(roles)) {
        // Two descriptions of the same roles (image, command, resources) would have to be
        // merged by name, and a typo in a name would silently add a role; NNI's v1 schema also
        // treats them as alternatives.
        ctx.error(ctx.at_key(ctx.has(config_path) ? config_path : inline_template,
                             "taskRoles and a Framework template are both set",
                             "the template's spec.taskRoles define the roles in template mode: "
                             "remove taskRoles, or remove configPath"));
        return;
    }
    if (ctx.has(inline_template)) {
        return;
    }
    const std::optional<std::string> path = ctx.path(config_path, Context::PathKind::File);
    if (!path) {
        return;
    }
    // Inside, the template's own lines and key paths; the template as a whole at configPath.
    ctx.include_mapping(config_path, *path, inline_template, "",
                        "the Framework template must be a mapping (a Framework object)",
                        "see config/experiments/frameworkcontroller-template.framework.yaml");
}

// The platform's plugin name, with its section normalised; nullopt after an error.
std::optional<std::string> load_platform(Context& ctx) {
    const std::string pointer = std::string(kTs) + "/platform";
    if (!ctx.has(pointer)) {
        ctx.missing(pointer, "add platform: frameworkcontroller, kubeflow or local");
        return std::nullopt;
    }
    std::optional<std::string> platform = ctx.string(pointer);
    if (!platform) {
        return std::nullopt;
    }
    if (std::find(std::begin(kUnsupportedPlatforms), std::end(kUnsupportedPlatforms), *platform) !=
        std::end(kUnsupportedPlatforms)) {
        ctx.error(ctx.at_value(pointer, "platform '" + *platform + "' is not supported by tshost",
                               "use frameworkcontroller, kubeflow, local, or the name of an "
                               "installed platform plugin"));
        return std::nullopt;
    }
    std::optional<std::string> known = match_name(ctx, pointer, *platform, kPlatforms, "platform");
    if (!known) {
        return std::nullopt;
    }
    if (known->empty()) {
        return platform;  // a third-party plugin, configured by its own schema
    }
    *ctx.find(pointer) = *known;
    if (*known == "local") {
        ctx.canonicalize(kTs, KeySet{kLocalKeys}, false);
        return "local";
    }
    if (*known == "kubeflow") {
        ctx.canonicalize(kTs, KeySet{kKubeflowKeys}, false);
        for (std::string_view role : {"worker", "ps", "master"}) {
            normalize_role(ctx, std::string(kTs) + "/" + std::string(role),
                           KeySet{kKubeflowRoleKeys});
        }
        return kubeflow_plugin(ctx);
    }
    ctx.canonicalize(kTs, KeySet{kFrameworkControllerKeys}, false);
    const std::string roles = std::string(kTs) + "/taskRoles";
    if (const json* list = ctx.find(roles); list != nullptr && list->is_array()) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            normalize_role(ctx, pointer_append(roles, i), KeySet{kFrameworkControllerRoleKeys});
        }
    }
    load_framework_template(ctx);
    return "frameworkcontroller";
}

std::optional<std::string> load_storage(Context& ctx) {
    if (ctx.object(kStorage) == nullptr) {
        return std::nullopt;
    }
    ctx.canonicalize(kStorage, KeySet{kStorageKeys}, false);
    const std::string pointer = std::string(kStorage) + "/storageType";
    if (!ctx.has(pointer)) {
        ctx.missing(pointer, "add storageType: nfs or azureStorage");
        return std::nullopt;
    }
    std::optional<std::string> type = ctx.string(pointer);
    if (!type) {
        return std::nullopt;
    }
    if (*type == "pvc") {
        ctx.error(ctx.at_value(pointer, "PVC storage is not supported",
                               "use nfs or azureStorage (PVC never worked in NNI either)"));
        return std::nullopt;
    }
    std::optional<std::string> known = match_name(ctx, pointer, *type, kStorages, "storageType");
    if (!known) {
        return std::nullopt;
    }
    if (known->empty()) {
        return type;
    }
    *ctx.find(pointer) = *known;
    for (const KnownName& k : kStorages) {
        if (k.nni == *known) {
            return std::string(k.plugin);
        }
    }
    return std::nullopt;
}

PluginSection section_without(const json& object, std::string plugin, std::string key_path,
                              std::initializer_list<std::string_view> drop) {
    PluginSection section{std::move(plugin), object, std::move(key_path)};
    for (std::string_view key : drop) {
        section.config.erase(std::string(key));
    }
    return section;
}

}  // namespace

void prepare_training_service(Context& ctx) {
    const json* ts = ctx.find(kTs);
    if (ts == nullptr || !ts->is_object()) {
        return;  // load_training_service reports it
    }
    ctx.canonicalize(kTs, KeySet{kShortcuts}, false);
    for (std::string_view key : kShortcuts) {
        std::string inner = std::string(kTs) + "/" + std::string(key);
        std::string top = "/" + std::string(key);
        if (!ctx.has(inner)) {
            ctx.erase(inner);  // a null there means "not set"
        } else if (!ctx.has(top)) {
            ctx.move(inner, top);
        } else if (*ctx.find(inner) == *ctx.find(top)) {
            ctx.erase(inner);
        } else {
            ctx.error(ctx.at_key(inner, "differs from the top-level " + std::string(key),
                                 "set it in one place"));
            ctx.erase(inner);
        }
    }
}

void load_training_service(Context& ctx, ExperimentConfig& config) {
    const json* given = ctx.find(kTs);
    if (given == nullptr) {
        ctx.missing(kTs, "add e.g. trainingService: {platform: frameworkcontroller, ...}");
        return;
    }
    if (given->is_array()) {
        ctx.error(ctx.at_value(kTs,
                               "a list of training services (NNI's hybrid mode) is not supported",
                               "give one trainingService mapping"));
        return;
    }
    if (ctx.object(kTs) == nullptr) {
        return;
    }
    std::optional<std::string> platform = load_platform(ctx);
    std::optional<std::string> storage = load_storage(ctx);
    const json* ts = ctx.find(kTs);
    bool needs_storage = platform == "frameworkcontroller" || platform == "kubeflow-tf" ||
                         platform == "kubeflow-pytorch";
    if (needs_storage && !ctx.has(kStorage)) {
        ctx.missing(kStorage, "add storage: {storageType: nfs, server: <host>, path: <export>}");
    }
    if (platform) {
        config.platform =
            section_without(*ts, *platform, "trainingService", {"platform", "storage"});
    }
    if (storage) {
        config.storage = section_without(*ctx.find(kStorage), *storage, "trainingService.storage",
                                         {"storageType"});
    }
}

}  // namespace tshost::config
