#include "kubeflow_operator.hpp"

#include <algorithm>

#include "controller_util.hpp"
#include "events.hpp"
#include "resources.hpp"
#include "store.hpp"

namespace kemu {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

bool condition_true(const json& conditions, const char* type) {
    return std::any_of(conditions.begin(), conditions.end(), [&](const json& c) {
        return c.value("type", "") == type && c.value("status", "") == "True";
    });
}

/// training-operator's setCondition: same type+status+reason is a no-op; otherwise the old entry
/// of that type is removed and the new one appended (Running↔Restarting exclude each other, and
/// Succeeded/Failed flip Running to False).
void set_condition(json& conditions, const std::string& type, const std::string& reason,
                   const std::string& message) {
    const std::string now = now_rfc3339();
    std::string transition = now;
    json kept = json::array();
    for (auto c : conditions) {
        const std::string t = c.value("type", "");
        if (t == type) {
            if (c.value("status", "") == "True" && c.value("reason", "") == reason) {
                return;
            }
            if (c.value("status", "") == "True") {
                transition = c.value("lastTransitionTime", now);
            }
            continue;
        }
        if ((type == "Restarting" && t == "Running") || (type == "Running" && t == "Restarting")) {
            continue;
        }
        if ((type == "Succeeded" || type == "Failed") && t == "Running" &&
            c.value("status", "") == "True") {
            c["status"] = "False";
            c["lastUpdateTime"] = now;
            c["lastTransitionTime"] = now;
        }
        kept.push_back(std::move(c));
    }
    kept.push_back({{"type", type},
                    {"status", "True"},
                    {"reason", reason},
                    {"message", message},
                    {"lastUpdateTime", now},
                    {"lastTransitionTime", transition}});
    conditions = std::move(kept);
}

int failed_exit_code(const json& pod, const std::string& container) {
    for (const auto& cs : pod["status"].value("containerStatuses", json::array())) {
        if (cs.value("name", "") == container && cs.contains("state") &&
            cs["state"].contains("terminated")) {
            return cs["state"]["terminated"].value("exitCode", 0);
        }
    }
    return 0;
}

}  // namespace

struct KubeflowOperator::Impl {
    Impl(Loop& l, Store& s, EventRecorder& e, Flavor f)
        : loop(l),
          store(s),
          events(e),
          tf(f == Flavor::TensorFlow),
          rt(resource(tf ? "tfjobs" : "pytorchjobs")),
          queue(l,
                [this](const std::string& ns, const std::string& name) { reconcile(ns, name); }) {
        store.subscribe([this](const Change& c) {
            if (c.rt == &rt && c.type != Change::Type::Deleted) {
                queue.enqueue(get_string(*c.obj, {"metadata", "namespace"}),
                              get_string(*c.obj, {"metadata", "name"}));
            } else if (c.rt->plural == "pods") {
                const std::string owner = controller_owner(*c.obj, rt.kind);
                if (!owner.empty()) {
                    queue.enqueue(get_string(*c.obj, {"metadata", "namespace"}), owner);
                }
            }
        });
    }

    const char* specs_key() const { return tf ? "tfReplicaSpecs" : "pytorchReplicaSpecs"; }
    const char* container() const { return tf ? "tensorflow" : "pytorch"; }

    std::string message(const json& job, const std::string& what) const {
        return rt.kind + " " + get_string(job, {"metadata", "namespace"}) + "/" +
               get_string(job, {"metadata", "name"}) + " " + what;
    }

    json replica_env(const json& job, const std::string& type, int index) const {
        const std::string name = get_string(job, {"metadata", "name"});
        const std::string ns = get_string(job, {"metadata", "namespace"});
        const json& specs = job["spec"][specs_key()];
        json env = json::array();
        if (tf) {
            json cluster = json::object();
            int total = 0;
            for (const auto& [t, r] : specs.items()) {
                const int n = r.value("replicas", 1);
                total += n;
                for (int i = 0; i < n; ++i) {
                    cluster[lower(t)].push_back(name + "-" + lower(t) + "-" + std::to_string(i) +
                                                "." + ns + ".svc:2222");
                }
            }
            if (total > 1) {
                const json config = {{"cluster", cluster},
                                     {"task", {{"type", lower(type)}, {"index", index}}},
                                     {"environment", "cloud"}};
                env.push_back({{"name", "TF_CONFIG"}, {"value", config.dump()}});
            }
            return env;
        }
        int world = 0;
        for (const auto& [t, r] : specs.items()) {
            world += r.value("replicas", 1);
        }
        const int rank = type == "Master" ? 0 : index + (specs.contains("Master") ? 1 : 0);
        env.push_back({{"name", "MASTER_PORT"}, {"value", "23456"}});
        env.push_back({{"name", "MASTER_ADDR"}, {"value", name + "-master-0"}});
        env.push_back({{"name", "WORLD_SIZE"}, {"value", std::to_string(world)}});
        env.push_back({{"name", "RANK"}, {"value", std::to_string(rank)}});
        env.push_back({{"name", "PYTHONUNBUFFERED"}, {"value", "1"}});
        return env;
    }

    void create_pod(const json& job, const std::string& type, const json& rspec, int index) {
        const std::string name = get_string(job, {"metadata", "name"});
        const std::string pod_name = name + "-" + lower(type) + "-" + std::to_string(index);
        json labels = {{"training.kubeflow.org/job-name", name},
                       {"training.kubeflow.org/operator-name",
                        tf ? "tfjob-controller" : "pytorchjob-controller"},
                       {"training.kubeflow.org/replica-type", lower(type)},
                       {"training.kubeflow.org/replica-index", std::to_string(index)}};
        if (type == "Chief" || type == "Master") {
            labels["training.kubeflow.org/job-role"] = "master";
        }
        std::string restart = rspec.value("restartPolicy", tf ? "Never" : "OnFailure");
        if (restart == "ExitCode") {
            restart = "Never";  // the operator itself decides on retries by exit code
        }
        json pod = pod_from_template(job, pod_name, rspec.value("template", json::object()), labels,
                                     json::object(), replica_env(job, type, index), restart);
        // Only the framework container gets the distributed-training environment.
        for (auto& c : pod["spec"]["containers"]) {
            if (c.value("name", "") != container()) {
                c["env"] = json::array();
                for (const auto& e : rspec["template"]["spec"]["containers"]) {
                    if (e.value("name", "") == c.value("name", "") && e.contains("env")) {
                        c["env"] = e["env"];
                    }
                }
            }
        }
        if (store.create(resource("pods"), std::move(pod))) {
            events.record(job, "Normal", "SuccessfulCreatePod", "Created pod: " + pod_name,
                          rt.plural == "tfjobs" ? "tfjob-controller" : "pytorchjob-controller");
        }
    }

    void clean_pods(const json& job, const std::map<std::string, ObjPtr>& pods) {
        const std::string policy = get_string(job, {"spec", "runPolicy", "cleanPodPolicy"});
        if (policy != "All" && policy != "Running") {
            return;
        }
        for (const auto& [name, pod] : pods) {
            const std::string phase = get_string(*pod, {"status", "phase"});
            if (policy == "All" || phase == "Running" || phase == "Pending") {
                store.remove(resource("pods"), get_string(job, {"metadata", "namespace"}), name);
                events.record(job, "Normal", "SuccessfulDeletePod", "Deleted pod: " + name,
                              tf ? "tfjob-controller" : "pytorchjob-controller");
            }
        }
    }

    void reconcile(const std::string& ns, const std::string& name) {
        const ObjPtr job = store.get(rt, ns, name);
        if (!job || !(*job)["spec"].contains(specs_key())) {
            return;
        }
        const auto pods = owned_pods(store, ns, get_string(*job, {"metadata", "uid"}));
        json status = job->value("status", json::object());
        if (!status.is_object()) {
            status = json::object();
        }
        json conditions = status.value("conditions", json::array());
        if (condition_true(conditions, "Succeeded") || condition_true(conditions, "Failed")) {
            clean_pods(*job, pods);
            return;
        }
        if (conditions.empty()) {
            set_condition(conditions, "Created", rt.kind + "Created",
                          rt.kind + " " + name + " is created.");
        }
        if (!status.contains("startTime")) {
            status["startTime"] = now_rfc3339();
        }
        const json& specs = (*job)["spec"][specs_key()];
        const bool has_master = specs.contains("Chief") || specs.contains("Master");
        json replica_statuses = json::object();
        bool restarting = false;
        std::string succeeded_msg, running_msg, failed_msg;
        for (const auto& [type, rspec] : specs.items()) {
            const int replicas = rspec.value("replicas", 1);
            int active = 0, succeeded = 0, failed = 0;
            for (int i = 0; i < replicas; ++i) {
                const std::string pod_name = name + "-" + lower(type) + "-" + std::to_string(i);
                const auto it = pods.find(pod_name);
                if (it == pods.end()) {
                    create_pod(*job, type, rspec, i);
                    continue;
                }
                const std::string phase = get_string(*it->second, {"status", "phase"});
                if (phase == "Running") {
                    ++active;
                } else if (phase == "Succeeded") {
                    ++succeeded;
                } else if (phase == "Failed") {
                    const int code = failed_exit_code(*it->second, container());
                    if (rspec.value("restartPolicy", "") == "ExitCode" && code >= 128) {
                        // Retryable exit code: delete the pod; the next reconcile recreates it.
                        store.remove(resource("pods"), ns, pod_name);
                        restarting = true;
                    } else {
                        ++failed;
                    }
                }
            }
            json rs = json::object();
            if (active > 0)
                rs["active"] = active;
            if (succeeded > 0)
                rs["succeeded"] = succeeded;
            if (failed > 0)
                rs["failed"] = failed;
            rs["selector"] = "training.kubeflow.org/job-name=" + name +
                             ",training.kubeflow.org/operator-name=" +
                             (tf ? "tfjob-controller" : "pytorchjob-controller") +
                             ",training.kubeflow.org/replica-type=" + lower(type);
            replica_statuses[type] = rs;
            const int expected = replicas - succeeded;
            const bool decides =
                has_master ? (type == "Chief" || type == "Master") : type == "Worker";
            if (decides) {
                if (expected == 0 || (tf && !has_master && succeeded > 0 &&
                                      (*job)["spec"].value("successPolicy", "") != "AllWorkers" &&
                                      pods.count(name + "-worker-0") != 0 &&
                                      get_string(*pods.at(name + "-worker-0"),
                                                 {"status", "phase"}) == "Succeeded")) {
                    succeeded_msg = message(*job, "successfully completed.");
                } else if (active > 0) {
                    running_msg = message(*job, "is running.");
                }
            }
            if (failed > 0 && failed_msg.empty()) {
                failed_msg = message(*job, "has failed because " + std::to_string(failed) + " " +
                                               type + " replica(s) failed.");
            }
        }
        status["replicaStatuses"] = replica_statuses;
        const char* component = tf ? "tfjob-controller" : "pytorchjob-controller";
        if (restarting) {
            set_condition(
                conditions, "Restarting", rt.kind + "Restarting",
                message(*job, "is restarting because a replica exited with a retryable code."));
        } else if (!running_msg.empty() && succeeded_msg.empty() && failed_msg.empty()) {
            set_condition(conditions, "Running", rt.kind + "Running", running_msg);
        }
        bool finished = false;
        if (!failed_msg.empty()) {
            set_condition(conditions, "Failed", rt.kind + "Failed", failed_msg);
            events.record(*job, "Normal", rt.kind + "Failed", failed_msg, component);
            finished = true;
        } else if (!succeeded_msg.empty()) {
            set_condition(conditions, "Succeeded", rt.kind + "Succeeded", succeeded_msg);
            events.record(*job, "Normal", rt.kind + "Succeeded", succeeded_msg, component);
            finished = true;
        }
        if (finished && !status.contains("completionTime")) {
            status["completionTime"] = now_rfc3339();
        }
        status["conditions"] = conditions;
        status["lastReconcileTime"] =
            job->contains("status") && (*job)["status"].contains("lastReconcileTime")
                ? (*job)["status"]["lastReconcileTime"]
                : json(now_rfc3339());
        write_status(store, rt, *job, status);
        if (finished) {
            clean_pods(*job, owned_pods(store, ns, get_string(*job, {"metadata", "uid"})));
        }
    }

    Loop& loop;
    Store& store;
    EventRecorder& events;
    bool tf;
    const ResourceType& rt;
    ReconcileQueue queue;
};

KubeflowOperator::KubeflowOperator(Loop& loop, Store& store, EventRecorder& events, Flavor flavor)
    : impl_(std::make_unique<Impl>(loop, store, events, flavor)) {}

KubeflowOperator::~KubeflowOperator() = default;

}  // namespace kemu
