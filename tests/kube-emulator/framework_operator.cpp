#include "framework_operator.hpp"

#include "controller_util.hpp"
#include "events.hpp"
#include "resources.hpp"
#include "store.hpp"

namespace kemu {
namespace {

constexpr const char* kComponent = "frameworkcontroller";

json completion(int code, const std::string& phrase, const std::string& type,
                std::vector<std::string> attributes, const std::string& diagnostics) {
    return {{"code", code},
            {"phrase", phrase},
            {"type", {{"name", type}, {"attributes", attributes}}},
            {"diagnostics", diagnostics}};
}

/// FrameworkController's predefined container exit codes (completion.go and the default
/// podFailureSpec); anything else is forwarded as-is, Failed with no attributes.
json container_completion(int code, const json& pod_info, const std::string& diagnostics) {
    json c;
    switch (code) {
        case 200:
            c = completion(code, "ContainerTransientFailed", "Failed", {"Transient"}, diagnostics);
            break;
        case 201:
            c = completion(code, "ContainerTransientConflictFailed", "Failed",
                           {"Transient", "Conflict"}, diagnostics);
            break;
        case 210:
            c = completion(code, "ContainerPermanentFailed", "Failed", {"Permanent"}, diagnostics);
            break;
        case 130:
            c = completion(code, "ContainerSigIntReceived", "Failed", {"Transient"}, diagnostics);
            break;
        case 137:
            c = completion(code, "ContainerSigKillReceived", "Failed", {"Transient"}, diagnostics);
            break;
        case 143:
            c = completion(code, "ContainerSigTermReceived", "Failed", {"Transient"}, diagnostics);
            break;
        default:
            c = completion(code, "ContainerFailed", "Failed", {}, diagnostics);
            break;
    }
    c["pod"] = pod_info;
    return c;
}

json task_completion_from_pod(const json& pod) {
    const std::string phase = get_string(pod, {"status", "phase"});
    json containers = json::array();
    std::optional<int> last_failed;
    for (const char* list : {"initContainerStatuses", "containerStatuses"}) {
        for (const auto& cs : pod["status"].value(list, json::array())) {
            if (!cs.contains("state") || !cs["state"].contains("terminated")) {
                continue;
            }
            const json& t = cs["state"]["terminated"];
            const int code = t.value("exitCode", 0);
            if (code != 0) {
                last_failed = code;
                containers.push_back({{"name", cs.value("name", "")},
                                      {"reason", t.value("reason", "")},
                                      {"message", t.value("message", "")},
                                      {"code", code}});
            }
        }
    }
    const json pod_info = {{"reason", get_string(pod, {"status", "reason"})},
                           {"message", get_string(pod, {"status", "message"})},
                           {"containers", containers}};
    if (phase == "Succeeded") {
        return completion(0, "Succeeded", "Succeeded", {}, "Pod succeeded");
    }
    if (last_failed) {
        return container_completion(*last_failed, pod_info, "Pod failed: " + pod_info.dump());
    }
    json c = completion(-300, "PodFailedWithoutFailedContainer", "Failed", {},
                        "Pod failed without any failed container");
    c["pod"] = pod_info;
    return c;
}

bool has_attribute(const json& cs, const char* attr) {
    for (const auto& a : cs["type"].value("attributes", json::array())) {
        if (a == attr) {
            return true;
        }
    }
    return false;
}

}  // namespace

struct FrameworkOperator::Impl {
    Impl(Loop& l, Store& s, EventRecorder& e)
        : loop(l),
          store(s),
          events(e),
          rt(resource("frameworks")),
          queue(l,
                [this](const std::string& ns, const std::string& name) { reconcile(ns, name); }) {
        store.subscribe([this](const Change& c) {
            if (c.rt == &rt && c.type != Change::Type::Deleted) {
                queue.enqueue(get_string(*c.obj, {"metadata", "namespace"}),
                              get_string(*c.obj, {"metadata", "name"}));
            } else if (c.rt->plural == "pods") {
                const std::string owner = controller_owner(*c.obj, "Framework");
                if (!owner.empty()) {
                    queue.enqueue(get_string(*c.obj, {"metadata", "namespace"}), owner);
                }
            }
        });
    }

    json new_attempt(const json& fw, int id) const {
        const std::string now = now_rfc3339();
        const std::string name = get_string(fw, {"metadata", "name"});
        json roles = json::array();
        for (const auto& role : fw["spec"]["taskRoles"]) {
            json tasks = json::array();
            const int n = role.value("taskNumber", 1);
            for (int i = 0; i < n; ++i) {
                tasks.push_back(
                    {{"index", i},
                     {"instanceUID", nullptr},
                     {"startTime", now},
                     {"runTime", nullptr},
                     {"completionTime", nullptr},
                     {"state", "AttemptCreationPending"},
                     {"transitionTime", now},
                     {"deletionPending", false},
                     {"retryPolicyStatus",
                      {{"totalRetriedCount", 0},
                       {"accountableRetriedCount", 0},
                       {"retryDelaySec", nullptr}}},
                     {"attemptStatus",
                      {{"id", 0},
                       {"startTime", now},
                       {"runTime", nullptr},
                       {"completionTime", nullptr},
                       {"instanceUID", nullptr},
                       {"podName", name + "-" + role.value("name", "") + "-" + std::to_string(i)},
                       {"podUID", nullptr},
                       {"podNodeName", nullptr},
                       {"podIP", nullptr},
                       {"podHostIP", nullptr},
                       {"completionStatus", nullptr}}}});
            }
            roles.push_back({{"name", role.value("name", "")},
                             {"podGracefulDeletionTimeoutSec", nullptr},
                             {"taskStatuses", tasks}});
        }
        return {{"id", id},
                {"startTime", now},
                {"runTime", nullptr},
                {"completionTime", nullptr},
                {"instanceUID", std::to_string(id) + "_" + new_uid()},
                {"configMapName", name + "-attempt"},
                {"configMapUID", nullptr},
                {"completionStatus", nullptr},
                {"taskRoleStatuses", roles}};
    }

    static void transition(json& st, const std::string& state) {
        st["state"] = state;
        st["transitionTime"] = now_rfc3339();
    }

    const json* role_spec(const json& fw, const std::string& role) const {
        for (const auto& r : fw["spec"]["taskRoles"]) {
            if (r.value("name", "") == role) {
                return &r;
            }
        }
        return nullptr;
    }

    void create_pod(const json& fw, const json& st, const json& role, int index) {
        const std::string name = get_string(fw, {"metadata", "name"});
        const std::string ns = get_string(fw, {"metadata", "namespace"});
        const std::string role_name = role.value("name", "");
        const std::string pod_name = name + "-" + role_name + "-" + std::to_string(index);
        const std::string attempt = std::to_string(st["attemptStatus"].value("id", 0));
        const json labels = {{"FC_FRAMEWORK_NAME", name},
                             {"FC_TASKROLE_NAME", role_name},
                             {"FC_TASK_INDEX", std::to_string(index)}};
        const json annotations = {
            {"FC_FRAMEWORK_NAMESPACE", ns},           {"FC_FRAMEWORK_NAME", name},
            {"FC_TASKROLE_NAME", role_name},          {"FC_TASK_INDEX", std::to_string(index)},
            {"FC_CONFIGMAP_NAME", name + "-attempt"}, {"FC_POD_NAME", pod_name},
            {"FC_FRAMEWORK_ATTEMPT_ID", attempt},     {"FC_TASK_ATTEMPT_ID", "0"}};
        json env = json::array();
        for (const auto& [k, v] : annotations.items()) {
            env.push_back({{"name", k}, {"value", v}});
        }
        env.push_back(
            {{"name", "FC_FRAMEWORK_UID"}, {"value", get_string(fw, {"metadata", "uid"})}});
        const json& pod_template = role["task"]["pod"];
        json pod = pod_from_template(fw, pod_name, pod_template, labels, annotations, env, "");
        if (store.create(resource("pods"), std::move(pod))) {
            events.record(fw, "Normal", "PodCreated", "Created Pod " + pod_name, kComponent);
        }
    }

    /// Updates task statuses from their pods; returns the completion status that ends the
    /// attempt, if the completion policy fires.
    std::optional<json> sync_tasks(const json& fw, json& st, bool& any_running) {
        const std::string ns = get_string(fw, {"metadata", "namespace"});
        const auto pods = owned_pods(store, ns, get_string(fw, {"metadata", "uid"}));
        std::optional<json> trigger;
        std::size_t total = 0, completed = 0, failed_total = 0;
        for (auto& role : st["attemptStatus"]["taskRoleStatuses"]) {
            const std::string role_name = role.value("name", "");
            const json* spec = role_spec(fw, role_name);
            const json policy =
                spec ? spec->value("frameworkAttemptCompletionPolicy", json::object())
                     : json::object();
            const int min_failed = policy.value("minFailedTaskCount", 1);
            const int min_succeeded = policy.value("minSucceededTaskCount", -1);
            int failed = 0, succeeded = 0;
            for (auto& task : role["taskStatuses"]) {
                ++total;
                json& ta = task["attemptStatus"];
                const std::string pod_name = ta.value("podName", "");
                if (task["state"] != "Completed") {
                    const auto it = pods.find(pod_name);
                    if (it == pods.end()) {
                        if (!ta["podUID"].is_null()) {
                            ta["completionStatus"] =
                                completion(-101, "PodExternalDeleted", "Failed", {"Transient"},
                                           "Pod was deleted by others");
                            task["completionTime"] = ta["completionTime"] = now_rfc3339();
                            transition(task, "Completed");
                        }
                    } else {
                        const json& pod = *it->second;
                        ta["podUID"] = get_string(pod, {"metadata", "uid"});
                        ta["instanceUID"] = "0_" + ta["podUID"].get<std::string>();
                        task["instanceUID"] = ta["instanceUID"];
                        const std::string phase = get_string(pod, {"status", "phase"});
                        if (phase == "Running") {
                            ta["podNodeName"] = get_string(pod, {"spec", "nodeName"});
                            ta["podIP"] = get_string(pod, {"status", "podIP"});
                            ta["podHostIP"] = get_string(pod, {"status", "hostIP"});
                            if (task["state"] != "AttemptRunning") {
                                task["runTime"] = ta["runTime"] = now_rfc3339();
                                transition(task, "AttemptRunning");
                            }
                        } else if (phase == "Succeeded" || phase == "Failed") {
                            ta["completionStatus"] = task_completion_from_pod(pod);
                            task["completionTime"] = ta["completionTime"] = now_rfc3339();
                            transition(task, "Completed");
                        } else if (task["state"] == "AttemptCreationRequested") {
                            transition(task, "AttemptPreparing");
                        }
                    }
                }
                if (task["state"] == "AttemptRunning") {
                    any_running = true;
                }
                if (task["state"] != "Completed") {
                    continue;
                }
                ++completed;
                any_running = true;  // a task that ran to completion means the attempt ran
                const json& cs = ta["completionStatus"];
                const bool ok = cs["type"].value("name", "") == "Succeeded";
                ok ? ++succeeded : (++failed, ++failed_total);
                if (trigger) {
                    continue;
                }
                const int index = task.value("index", 0);
                if (!ok && min_failed >= 1 && failed >= min_failed) {
                    trigger = cs;
                    (*trigger)["trigger"] = {
                        {"message", "FailedTaskCount " + std::to_string(failed) +
                                        " has reached MinFailedTaskCount " +
                                        std::to_string(min_failed) + " in the TaskRole"},
                        {"taskRoleName", role_name},
                        {"taskIndex", index}};
                } else if (ok && min_succeeded >= 1 && succeeded >= min_succeeded) {
                    trigger = completion(0, "Succeeded", "Succeeded", {}, "");
                    (*trigger)["trigger"] = {
                        {"message", "SucceededTaskCount " + std::to_string(succeeded) +
                                        " has reached MinSucceededTaskCount " +
                                        std::to_string(min_succeeded) + " in the TaskRole"},
                        {"taskRoleName", role_name},
                        {"taskIndex", index}};
                }
            }
        }
        if (!trigger && total > 0 && completed == total) {
            trigger = completion(0, "Succeeded", "Succeeded", {}, "");
            (*trigger)["trigger"] = {{"message",
                                      "All Tasks are completed and no user specified conditions in "
                                      "FrameworkAttemptCompletionPolicy have ever been triggered: "
                                      "TotalTaskCount: " +
                                          std::to_string(total) +
                                          ", FailedTaskCount: " + std::to_string(failed_total)}};
        }
        if (trigger && (*trigger).value("diagnostics", "").empty()) {
            (*trigger)["diagnostics"] = (*trigger)["trigger"]["message"];
        }
        return trigger;
    }

    bool should_retry(const json& fw, json& st) const {
        const json& cs = st["attemptStatus"]["completionStatus"];
        if (cs["type"].value("name", "") == "Succeeded") {
            return false;
        }
        const json policy = fw["spec"].value("retryPolicy", json::object());
        const int max = policy.value("maxRetryCount", 0);
        const bool fancy = policy.value("fancyRetryPolicy", false);
        json& rs = st["retryPolicyStatus"];
        if (max == -2) {
            return true;
        }
        if (fancy && has_attribute(cs, "Permanent")) {
            return false;
        }
        if (fancy && has_attribute(cs, "Transient")) {
            return true;  // transient failures do not count against maxRetryCount
        }
        if (max == -1 || rs.value("accountableRetriedCount", 0) < max) {
            rs["accountableRetriedCount"] = rs.value("accountableRetriedCount", 0) + 1;
            return true;
        }
        return false;
    }

    void delete_pods(const json& fw) {
        const std::string ns = get_string(fw, {"metadata", "namespace"});
        for (const auto& [name, pod] : owned_pods(store, ns, get_string(fw, {"metadata", "uid"}))) {
            store.remove(resource("pods"), ns, name);
        }
    }

    /// One step of the state machine per call, so every state is written (and watched) once.
    void reconcile(const std::string& ns, const std::string& name) {
        const ObjPtr fw_ptr = store.get(rt, ns, name);
        if (!fw_ptr) {
            return;
        }
        const json& fw = *fw_ptr;
        json st = fw.value("status", json());
        const std::string exec = fw["spec"].value("executionType", "Start");
        bool again = true;
        if (!st.is_object()) {
            const std::string now = now_rfc3339();
            st = {{"startTime", now},
                  {"runTime", nullptr},
                  {"completionTime", nullptr},
                  {"state", "AttemptCreationPending"},
                  {"transitionTime", now},
                  {"retryPolicyStatus",
                   {{"totalRetriedCount", 0},
                    {"accountableRetriedCount", 0},
                    {"retryDelaySec", nullptr}}},
                  {"attemptStatus", new_attempt(fw, 0)}};
            events.record(fw, "Normal", "FrameworkAttemptCreationPending",
                          "Framework attempt 0 is pending creation", kComponent);
        } else {
            const std::string state = st.value("state", "");
            const bool deleting =
                state == "AttemptDeletionPending" || state == "AttemptDeletionRequested" ||
                state == "AttemptDeleting" || state == "AttemptCompleted" || state == "Completed";
            if (state == "Completed") {
                return;
            }
            if (exec == "Stop" && !deleting) {
                st["attemptStatus"]["completionStatus"] =
                    completion(-210, "StopFrameworkRequested", "Failed", {"Permanent"},
                               "User has requested to stop the Framework");
                transition(st, "AttemptDeletionPending");
            } else if (state == "AttemptCreationPending") {
                if (exec == "Create") {
                    return;  // created but not started: wait for executionType Start
                }
                st["attemptStatus"]["configMapUID"] = new_uid();
                transition(st, "AttemptCreationRequested");
            } else if (state == "AttemptCreationRequested") {
                for (auto& role : st["attemptStatus"]["taskRoleStatuses"]) {
                    const json* spec = role_spec(fw, role.value("name", ""));
                    for (auto& task : role["taskStatuses"]) {
                        if (spec != nullptr) {
                            create_pod(fw, st, *spec, task.value("index", 0));
                        }
                        transition(task, "AttemptCreationRequested");
                    }
                }
                transition(st, "AttemptPreparing");
            } else if (state == "AttemptPreparing" || state == "AttemptRunning") {
                bool running = false;
                const auto done = sync_tasks(fw, st, running);
                if (running && state == "AttemptPreparing") {
                    st["runTime"] = st["attemptStatus"]["runTime"] = now_rfc3339();
                    transition(st, "AttemptRunning");
                } else if (done) {
                    st["attemptStatus"]["completionStatus"] = *done;
                    transition(st, "AttemptDeletionPending");
                } else {
                    again = false;  // wait for pod changes
                }
            } else if (state == "AttemptDeletionPending") {
                delete_pods(fw);
                transition(st, "AttemptDeletionRequested");
            } else if (state == "AttemptDeletionRequested") {
                transition(st, "AttemptDeleting");
            } else if (state == "AttemptDeleting") {
                st["attemptStatus"]["completionTime"] = now_rfc3339();
                transition(st, "AttemptCompleted");
            } else if (state == "AttemptCompleted") {
                if (exec != "Stop" && should_retry(fw, st)) {
                    const int id = st["attemptStatus"].value("id", 0) + 1;
                    st["retryPolicyStatus"]["totalRetriedCount"] =
                        st["retryPolicyStatus"].value("totalRetriedCount", 0) + 1;
                    st["attemptStatus"] = new_attempt(fw, id);
                    transition(st, "AttemptCreationPending");
                    events.record(fw, "Normal", "FrameworkRetry",
                                  "Framework will be retried: attempt " + std::to_string(id),
                                  kComponent);
                } else {
                    st["completionTime"] = now_rfc3339();
                    transition(st, "Completed");
                    const json& cs = st["attemptStatus"]["completionStatus"];
                    const bool ok = cs["type"].value("name", "") == "Succeeded";
                    events.record(fw, ok ? "Normal" : "Warning", "FrameworkCompleted",
                                  "Framework completed: " + cs.dump(), kComponent);
                    again = false;
                }
            } else {
                again = false;
            }
        }
        write_status(store, rt, fw, std::move(st));
        if (again) {
            queue.enqueue(ns, name);
        }
    }

    Loop& loop;
    Store& store;
    EventRecorder& events;
    const ResourceType& rt;
    ReconcileQueue queue;
};

FrameworkOperator::FrameworkOperator(Loop& loop, Store& store, EventRecorder& events)
    : impl_(std::make_unique<Impl>(loop, store, events)) {}

FrameworkOperator::~FrameworkOperator() = default;

}  // namespace kemu
