#include "kubelet.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "events.hpp"
#include "faults.hpp"
#include "process.hpp"
#include "resources.hpp"
#include "store.hpp"

namespace kemu {
namespace {

namespace fs = std::filesystem;

constexpr const char* kNodeName = "kube-emulator";
constexpr const char* kLoopbackIp = "127.0.0.1";

struct Container {
    json spec;
    std::string name;
    bool init = false;
    pid_t pid = 0;
    int restarts = 0;
    bool finished = false;
    int exit_code = 0;
    json status;
    std::shared_ptr<Loop::Timer> backoff;
};

struct PodRun {
    std::string uid, ns, name, dir;
    json spec;
    std::vector<Container> init, main;
    std::size_t next_init = 0;
    bool initialized = false;
    bool init_failed = false;
    std::string restart_policy;
    std::string start_time;
    std::string scheduled_time;
    std::shared_ptr<Loop::Timer> pull_timer;
};

struct PidRef {
    std::string uid;
    bool init;
    std::size_t index;
};

std::string expand_vars(const std::string& s, const std::map<std::string, std::string>& vars) {
    // Kubernetes' $(VAR) expansion: $$ escapes, unknown references stay as they are.
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '$') {
            out += '$';
            ++i;
        } else if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '(') {
            const auto close = s.find(')', i + 2);
            const auto it =
                close == std::string::npos ? vars.end() : vars.find(s.substr(i + 2, close - i - 2));
            if (it != vars.end()) {
                out += it->second;
                i = close;
            } else {
                out += s[i];
            }
        } else {
            out += s[i];
        }
    }
    return out;
}

/// Replaces a mount path where it appears as a whole path prefix inside a string.
std::string rewrite_paths(std::string s,
                          const std::vector<std::pair<std::string, std::string>>& map) {
    for (const auto& [from, to] : map) {
        std::size_t pos = 0;
        while ((pos = s.find(from, pos)) != std::string::npos) {
            const std::size_t end = pos + from.size();
            const bool left =
                pos == 0 || !(std::isalnum(static_cast<unsigned char>(s[pos - 1])) ||
                              s[pos - 1] == '/' || s[pos - 1] == '_' || s[pos - 1] == '.');
            const bool right =
                end == s.size() || !(std::isalnum(static_cast<unsigned char>(s[end])) ||
                                     s[end] == '_' || s[end] == '-' || s[end] == '.');
            if (left && right) {
                s.replace(pos, from.size(), to);
                pos += to.size();
            } else {
                pos = end;
            }
        }
    }
    return s;
}

std::vector<std::string> string_list(const json& spec, const char* key) {
    std::vector<std::string> out;
    if (spec.contains(key) && spec[key].is_array()) {
        for (const auto& v : spec[key]) {
            out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
        }
    }
    return out;
}

}  // namespace

struct Kubelet::Impl {
    Impl(Loop& l, Store& s, Faults& f, EventRecorder& e, KubeletOptions o)
        : loop(l), store(s), faults(f), events(e), options(std::move(o)), sigchld(l.io(), SIGCHLD) {
        store.subscribe([this](const Change& c) { on_change(c); });
        wait_children();
    }

    void on_change(const Change& c) {
        if (c.rt->plural != "pods") {
            return;
        }
        const std::string uid = get_string(*c.obj, {"metadata", "uid"});
        if (c.type == Change::Type::Added) {
            loop.post([this, obj = c.obj] { start(*obj); });
        } else if (c.type == Change::Type::Deleted) {
            loop.post([this, obj = c.obj] { stop(*obj); });
        }
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    void start(const json& created) {
        const std::string ns = get_string(created, {"metadata", "namespace"});
        const std::string name = get_string(created, {"metadata", "name"});
        const std::string uid = get_string(created, {"metadata", "uid"});
        const ObjPtr current = store.get(resource("pods"), ns, name);
        if (!current || get_string(*current, {"metadata", "uid"}) != uid || pods.count(uid) != 0) {
            return;
        }
        if (!fits_node((*current)["spec"].value("nodeSelector", json::object()))) {
            unschedulable(*current);
            return;
        }
        PodRun p;
        p.uid = uid;
        p.ns = ns;
        p.name = name;
        p.spec = (*current)["spec"];
        p.restart_policy = p.spec.value("restartPolicy", "Always");
        p.scheduled_time = now_rfc3339();
        p.dir =
            (fs::path(options.workdir) / "pods" / ns / (name + "-" + uid.substr(0, 8))).string();
        std::error_code ec;
        fs::create_directories(p.dir, ec);
        for (const char* list : {"initContainers", "containers"}) {
            for (const auto& c : p.spec.value(list, json::array())) {
                Container ct;
                ct.spec = c;
                ct.name = c.value("name", "");
                ct.init = std::string(list) == "initContainers";
                ct.status = {{"name", ct.name},
                             {"image", c.value("image", "")},
                             {"imageID", ""},
                             {"ready", false},
                             {"restartCount", 0},
                             {"started", false},
                             {"state",
                              {{"waiting",
                                {{"reason", ct.init ? "PodInitializing" : "ContainerCreating"}}}}}};
                if (!ct.init && !p.spec.value("initContainers", json::array()).empty()) {
                    ct.status["state"]["waiting"]["reason"] = "PodInitializing";
                }
                (ct.init ? p.init : p.main).push_back(std::move(ct));
            }
        }
        auto& run = pods.emplace(uid, std::move(p)).first->second;
        json scheduled = *current;
        scheduled["spec"]["nodeName"] = kNodeName;
        store.update(resource("pods"), scheduled, Store::Scope::All);
        events.record(*current, "Normal", "Scheduled",
                      "Successfully assigned " + ns + "/" + name + " to " + kNodeName,
                      "default-scheduler");
        for (auto* list : {&run.init, &run.main}) {
            for (auto& c : *list) {
                const std::string image = c.spec.value("image", "");
                if (faults.image_pull_fails(image)) {
                    pull_failed(run, c);
                    return;
                }
            }
        }
        advance(run);
    }

    /// The one node's labels satisfy the pod's nodeSelector.
    static bool fits_node(const json& selector) {
        const json node_labels = {{"kubernetes.io/hostname", kNodeName},
                                  {"kubernetes.io/os", "linux"},
                                  {"kubernetes.io/arch", "amd64"}};
        if (!selector.is_object()) {
            return true;
        }
        for (const auto& [key, value] : selector.items()) {
            if (!node_labels.contains(key) || node_labels[key] != value) {
                return false;
            }
        }
        return true;
    }

    /// What kube-scheduler reports for a pod no node fits: it stays Pending, never runs.
    void unschedulable(const json& pod) {
        const std::string message =
            "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
            "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
        json next = pod;
        next["status"] = {{"phase", "Pending"},
                          {"qosClass", "BestEffort"},
                          {"conditions",
                           {{{"type", "PodScheduled"},
                             {"status", "False"},
                             {"lastProbeTime", nullptr},
                             {"lastTransitionTime", now_rfc3339()},
                             {"reason", "Unschedulable"},
                             {"message", message}}}}};
        store.update(resource("pods"), std::move(next), Store::Scope::Status);
        events.record(pod, "Warning", "FailedScheduling", message, "default-scheduler");
    }

    void pull_failed(PodRun& p, Container& c) {
        const std::string image = c.spec.value("image", "");
        c.status["state"] = {
            {"waiting",
             {{"reason", "ErrImagePull"},
              {"message", "rpc error: code = NotFound desc = failed to pull and unpack image \"" +
                              image + "\": not found"}}}};
        write_status(p);
        const json pod = pod_ref(p);
        events.record(pod, "Normal", "Pulling", "Pulling image \"" + image + "\"", "kubelet");
        events.record(pod, "Warning", "Failed",
                      "Failed to pull image \"" + image +
                          "\": rpc error: code = NotFound desc = "
                          "failed to pull and unpack image \"" +
                          image + "\": not found",
                      "kubelet");
        events.record(pod, "Warning", "Failed", "Error: ErrImagePull", "kubelet");
        const std::string uid = p.uid;
        const std::string name = c.name;
        const bool init = c.init;
        p.pull_timer = loop.after(std::chrono::milliseconds(1000), [this, uid, name, init, image] {
            const auto it = pods.find(uid);
            if (it == pods.end()) {
                return;
            }
            for (auto& ct : init ? it->second.init : it->second.main) {
                if (ct.name == name) {
                    ct.status["state"] = {
                        {"waiting",
                         {{"reason", "ImagePullBackOff"},
                          {"message", "Back-off pulling image \"" + image + "\""}}}};
                }
            }
            write_status(it->second);
            const json ref = pod_ref(it->second);
            events.record(ref, "Normal", "BackOff", "Back-off pulling image \"" + image + "\"",
                          "kubelet");
            events.record(ref, "Warning", "Failed", "Error: ImagePullBackOff", "kubelet");
        });
    }

    /// Starts whatever can run next: the next init container, or every container.
    void advance(PodRun& p) {
        if (!p.initialized) {
            while (p.next_init < p.init.size() && p.init[p.next_init].finished) {
                ++p.next_init;
            }
            if (p.next_init < p.init.size()) {
                Container& c = p.init[p.next_init];
                if (c.pid == 0 && !c.backoff) {
                    run_container(p, c);
                }
                write_status(p);
                return;
            }
            p.initialized = true;
            for (auto& c : p.main) {
                run_container(p, c);
            }
        }
        write_status(p);
    }

    void run_container(PodRun& p, Container& c) {
        if (p.start_time.empty()) {
            p.start_time = now_rfc3339();
        }
        const json pod = pod_ref(p);
        const std::string image = c.spec.value("image", "");
        events.record(pod, "Normal", "Pulled",
                      "Container image \"" + image + "\" already present on machine", "kubelet");
        events.record(pod, "Normal", "Created", "Created container " + c.name, "kubelet");
        SpawnSpec spec = spawn_spec(p, c);
        const std::string started = now_rfc3339();
        const SpawnResult r = spawn_process(spec);
        if (r.pid < 0) {
            events.record(pod, "Warning", "Failed",
                          "Error: failed to start container \"" + c.name + "\": " + r.error,
                          "kubelet");
            c.status["started"] = false;
            finish_container(p, c, 128, "StartError", r.error, started);
            return;
        }
        events.record(pod, "Normal", "Started", "Started container " + c.name, "kubelet");
        c.pid = r.pid;
        pids[r.pid] = PidRef{
            p.uid, c.init, static_cast<std::size_t>(&c - (c.init ? p.init.data() : p.main.data()))};
        c.status["state"] = {{"running", {{"startedAt", started}}}};
        c.status["started"] = true;
        c.status["ready"] = !c.init;
        c.status["containerID"] = "emulator://" + std::to_string(r.pid);
        c.status["imageID"] = "docker.io/library/" + image;
    }

    SpawnSpec spawn_spec(const PodRun& p, const Container& c) {
        SpawnSpec s;
        s.log_path = p.dir + "/" + c.name + ".log";
        // Volumes: local directories that stand in for what the mount would show.
        std::vector<std::pair<std::string, std::string>> mounts;  // mountPath → local dir
        for (const auto& vm : c.spec.value("volumeMounts", json::array())) {
            const std::string vname = vm.value("name", "");
            const std::string mount_path = vm.value("mountPath", "");
            if (mount_path.empty()) {
                continue;
            }
            std::string local = volume_dir(p, vname);
            if (vm.contains("subPath") && vm["subPath"].is_string()) {
                local += "/" + vm["subPath"].get<std::string>();
            }
            std::error_code ec;
            fs::create_directories(local, ec);
            if (mount_path == "/mnt/frameworkbarrier") {
                // What FrameworkController's barrier leaves for the task's command to source: all
                // tasks run on this host.
                std::ofstream(local + "/injector.sh")
                    << "# kube-emulator: every task runs on 127.0.0.1\n";
                std::ofstream(local + "/framework.json") << "{}\n";
            }
            mounts.emplace_back(mount_path, local);
        }
        // Each pod has its own /tmp, as on a real node (replicas of one trial must not share
        // what they unpack there). Its directory is shared by the pod's containers.
        const std::string pod_tmp = p.dir + "/tmp";
        {
            std::error_code ec;
            fs::create_directories(pod_tmp, ec);
            fs::permissions(pod_tmp, fs::perms::all | fs::perms::sticky_bit, ec);
        }
        const bool volume_at_tmp = std::any_of(mounts.begin(), mounts.end(),
                                               [](const auto& m) { return m.first == "/tmp"; });
        const bool rewrite = !options.mount_namespace;
        // The pod's directory is its HOME and working directory, unless the pod's own /tmp
        // hides it (a workdir under /tmp): then both are that /tmp, pod-local and writable,
        // where the programs that change into $PWD or $HOME (pyenv's shims) can reach them.
        std::string home = p.dir;
        if (!rewrite && !volume_at_tmp) {
            mounts.emplace_back("/tmp", pod_tmp);
            if (p.dir.starts_with("/tmp/")) {
                home = "/tmp";
            }
        }
        std::sort(mounts.begin(), mounts.end(),
                  [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
        auto map_path = [&](const std::string& v) {
            return rewrite ? rewrite_paths(v, mounts) : v;
        };

        std::map<std::string, std::string> env;
        const char* path = std::getenv("PATH");
        env["PATH"] = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
        env["HOME"] = home;
        env["HOSTNAME"] = p.name;
        std::vector<std::string> order = {"PATH", "HOME", "HOSTNAME"};
        if (rewrite) {
            // Without a mount namespace, /tmp is the host's: TMPDIR points programs that honour
            // it (the run script's code directory, Python's tempfile) at the pod's own.
            env["TMPDIR"] = pod_tmp;
            order.emplace_back("TMPDIR");
        }
        for (const auto& e : c.spec.value("env", json::array())) {
            const std::string key = e.value("name", "");
            if (key.empty()) {
                continue;
            }
            std::string value;
            if (e.contains("value") && e["value"].is_string()) {
                value = map_path(expand_vars(e["value"].get<std::string>(), env));
            } else if (e.contains("valueFrom")) {
                const std::string field = get_string(e, {"valueFrom", "fieldRef", "fieldPath"});
                if (field == "metadata.name") {
                    value = p.name;
                } else if (field == "metadata.namespace") {
                    value = p.ns;
                } else if (field == "metadata.uid") {
                    value = p.uid;
                } else if (field == "status.podIP" || field == "status.hostIP") {
                    value = kLoopbackIp;
                } else if (field == "spec.nodeName") {
                    value = kNodeName;
                } else {
                    events.record(pod_ref(p), "Warning", "FailedEnvVar",
                                  "kube-emulator ignores valueFrom for env " + key, "kubelet");
                    continue;
                }
            }
            if (env.count(key) == 0) {
                order.push_back(key);
            }
            env[key] = value;
        }
        for (const auto& key : order) {
            s.env.push_back(key + "=" + env[key]);
        }
        std::vector<std::string> command = string_list(c.spec, "command");
        const std::vector<std::string> args = string_list(c.spec, "args");
        command.insert(command.end(), args.begin(), args.end());
        if (command.empty()) {
            // No command and no args: the image's own entrypoint would run, which does not exist
            // here. Such containers (e.g. FrameworkController's barrier) just succeed.
            command = {"true"};
        }
        for (auto& a : command) {
            a = map_path(expand_vars(a, env));
        }
        s.argv = std::move(command);
        const std::string wd = c.spec.value("workingDir", "");
        s.cwd = wd.empty() ? home : map_path(wd);
        s.cwd_on_host = wd.empty() && home == p.dir;
        if (!rewrite) {
            for (auto it = mounts.rbegin(); it != mounts.rend(); ++it) {
                s.binds.push_back({it->second, it->first});
            }
        }
        return s;
    }

    std::string volume_dir(const PodRun& p, const std::string& vname) {
        for (const auto& v : p.spec.value("volumes", json::array())) {
            if (v.value("name", "") != vname) {
                continue;
            }
            if (v.contains("nfs")) {
                const std::string server = get_string(v, {"nfs", "server"});
                std::string path = get_string(v, {"nfs", "path"});
                return options.nfs_root + "/" + server +
                       (path.empty() || path[0] != '/' ? "/" : "") + path;
            }
            if (v.contains("azureFile")) {
                return options.azure_root + "/" + get_string(v, {"azureFile", "shareName"});
            }
            if (v.contains("hostPath")) {
                return get_string(v, {"hostPath", "path"});
            }
            if (v.contains("secret")) {
                return secret_dir(p, vname, get_string(v, {"secret", "secretName"}));
            }
            break;
        }
        return p.dir + "/volumes/" + vname;
    }

    std::string secret_dir(const PodRun& p, const std::string& vname, const std::string& secret) {
        const std::string dir = p.dir + "/volumes/" + vname;
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (const ObjPtr s = store.get(resource("secrets"), p.ns, secret)) {
            // Named copies: iterating items() of a temporary would dangle.
            const json data = s->value("data", json::object());
            const json string_data = s->value("stringData", json::object());
            for (const auto& [k, v] : data.items()) {
                if (auto bytes =
                        v.is_string() ? base64_decode(v.get<std::string>()) : std::nullopt) {
                    std::ofstream(dir + "/" + k, std::ios::binary) << *bytes;
                }
            }
            for (const auto& [k, v] : string_data.items()) {
                std::ofstream(dir + "/" + k, std::ios::binary)
                    << (v.is_string() ? v.get<std::string>() : v.dump());
            }
        }
        return dir;
    }

    void on_exit(pid_t pid, int status) {
        const auto ref = pids.find(pid);
        if (ref == pids.end()) {
            return;
        }
        const PidRef r = ref->second;
        pids.erase(ref);
        const auto it = pods.find(r.uid);
        if (it == pods.end()) {
            return;
        }
        PodRun& p = it->second;
        Container& c = (r.init ? p.init : p.main)[r.index];
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        const std::string started = c.status["state"].contains("running")
                                        ? c.status["state"]["running"].value("startedAt", "")
                                        : std::string{};
        c.pid = 0;
        finish_container(p, c, code, code == 0 ? "Completed" : "Error", "", started);
    }

    /// A container ended (or could not start): restart it per restartPolicy, or record the end.
    void finish_container(PodRun& p, Container& c, int code, const std::string& reason,
                          const std::string& message, const std::string& started) {
        json terminated = {{"exitCode", code},
                           {"reason", reason},
                           {"startedAt", started},
                           {"finishedAt", now_rfc3339()}};
        if (!message.empty()) {
            terminated["message"] = message;
        }
        if (c.status.contains("containerID")) {
            terminated["containerID"] = c.status["containerID"];
        }
        c.status["ready"] = false;
        const bool restart = p.restart_policy == "Always"
                                 ? !c.init || code != 0
                                 : p.restart_policy == "OnFailure" && code != 0;
        if (restart) {
            c.status["lastState"] = {{"terminated", terminated}};
            c.status["state"] = {
                {"waiting",
                 {{"reason", "CrashLoopBackOff"},
                  {"message", "back-off restarting failed container " + c.name + " in pod " +
                                  p.name + "_" + p.ns + "(" + p.uid + ")"}}}};
            events.record(pod_ref(p), "Warning", "BackOff",
                          "Back-off restarting failed container " + c.name + " in pod " + p.name +
                              "_" + p.ns + "(" + p.uid + ")",
                          "kubelet");
            const auto delay =
                std::chrono::milliseconds(std::min(10000, 500 << std::min(c.restarts, 5)));
            const std::string uid = p.uid;
            const bool init = c.init;
            const std::size_t index =
                static_cast<std::size_t>(&c - (init ? p.init.data() : p.main.data()));
            c.backoff = loop.after(delay, [this, uid, init, index] {
                const auto it = pods.find(uid);
                if (it == pods.end()) {
                    return;
                }
                Container& ct = (init ? it->second.init : it->second.main)[index];
                ct.backoff.reset();
                ct.status["restartCount"] = ++ct.restarts;
                run_container(it->second, ct);
                write_status(it->second);
            });
            write_status(p);
            return;
        }
        c.finished = true;
        c.exit_code = code;
        c.status["state"] = {{"terminated", terminated}};
        if (c.init) {
            if (code != 0) {
                p.init_failed = true;
                write_status(p);
                return;
            }
            advance(p);
            return;
        }
        write_status(p);
    }

    void stop(const json& deleted) {
        const std::string uid = get_string(deleted, {"metadata", "uid"});
        const auto it = pods.find(uid);
        if (it == pods.end()) {
            return;
        }
        const int grace_spec = deleted["spec"].value("terminationGracePeriodSeconds", 30);
        const int grace = std::clamp(grace_spec, 0, options.max_grace_seconds);
        for (auto* list : {&it->second.init, &it->second.main}) {
            for (auto& c : *list) {
                if (c.pid == 0) {
                    continue;
                }
                events.record(deleted, "Normal", "Killing", "Stopping container " + c.name,
                              "kubelet");
                pids.erase(c.pid);
                orphans.insert(c.pid);
                signal_group(c.pid, SIGTERM);
                const pid_t pgid = c.pid;
                kill_timers[pgid] = loop.after(std::chrono::seconds(grace), [this, pgid] {
                    signal_group(pgid, SIGKILL);
                    kill_timers.erase(pgid);
                });
            }
        }
        pods.erase(it);
    }

    // ---- status -------------------------------------------------------------------------------

    json pod_ref(const PodRun& p) const {
        if (const ObjPtr obj = store.get(resource("pods"), p.ns, p.name)) {
            return *obj;
        }
        return {{"kind", "Pod"},
                {"apiVersion", "v1"},
                {"metadata", {{"name", p.name}, {"namespace", p.ns}, {"uid", p.uid}}}};
    }

    std::string phase(const PodRun& p) const {
        if (p.init_failed) {
            return "Failed";
        }
        if (!p.initialized) {
            return "Pending";
        }
        bool all_done = true;
        bool all_ok = true;
        bool any_started = false;
        for (const auto& c : p.main) {
            all_done = all_done && c.finished;
            all_ok = all_ok && c.exit_code == 0;
            any_started = any_started || c.pid != 0 || c.finished || c.restarts > 0 || c.backoff;
        }
        if (all_done) {
            return all_ok ? "Succeeded" : "Failed";
        }
        return any_started ? "Running" : "Pending";
    }

    void write_status(PodRun& p) {
        const ObjPtr current = store.get(resource("pods"), p.ns, p.name);
        if (!current || get_string(*current, {"metadata", "uid"}) != p.uid) {
            return;
        }
        const std::string ph = phase(p);
        bool ready = ph == "Running";
        for (const auto& c : p.main) {
            ready = ready && c.pid != 0;
        }
        json old_conditions = (*current)["status"].value("conditions", json::array());
        auto condition = [&](const char* type, bool value, const std::string& reason) {
            std::string since = p.scheduled_time;
            for (const auto& oc : old_conditions) {
                if (oc.value("type", "") == type &&
                    oc.value("status", "") == (value ? "True" : "False")) {
                    since = oc.value("lastTransitionTime", since);
                }
            }
            if (since == p.scheduled_time && value && std::string(type) != "PodScheduled") {
                since = now_rfc3339();
            }
            json c = {{"type", type},
                      {"status", value ? "True" : "False"},
                      {"lastProbeTime", nullptr},
                      {"lastTransitionTime", since}};
            if (!reason.empty() && !value) {
                c["reason"] = reason;
            }
            return c;
        };
        const bool done = ph == "Succeeded" || ph == "Failed";
        json status = {
            {"phase", ph},
            {"conditions",
             json::array(
                 {condition("Initialized", p.initialized, "ContainersNotInitialized"),
                  condition("Ready", ready, done ? "PodCompleted" : "ContainersNotReady"),
                  condition("ContainersReady", ready, done ? "PodCompleted" : "ContainersNotReady"),
                  condition("PodScheduled", true, "")})},
            {"hostIP", kLoopbackIp},
            {"hostIPs", json::array({{{"ip", kLoopbackIp}}})},
            {"qosClass", "BestEffort"}};
        if (!p.start_time.empty()) {
            status["startTime"] = p.start_time;
            status["podIP"] = kLoopbackIp;
            status["podIPs"] = json::array({{{"ip", kLoopbackIp}}});
        }
        auto statuses = [](const std::vector<Container>& list) {
            json out = json::array();
            for (const auto& c : list) {
                out.push_back(c.status);
            }
            return out;
        };
        if (!p.init.empty()) {
            status["initContainerStatuses"] = statuses(p.init);
        }
        status["containerStatuses"] = statuses(p.main);
        json next = *current;
        next["status"] = std::move(status);
        store.update(resource("pods"), std::move(next), Store::Scope::Status);
    }

    // ---- children -----------------------------------------------------------------------------

    void wait_children() {
        sigchld.async_wait([this](const boost::system::error_code& ec, int) {
            if (ec) {
                return;
            }
            reap();
            wait_children();
        });
    }

    void reap() {
        int status = 0;
        pid_t pid = 0;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            orphans.erase(pid);
            on_exit(pid, status);
        }
    }

    Loop& loop;
    Store& store;
    Faults& faults;
    EventRecorder& events;
    KubeletOptions options;
    boost::asio::signal_set sigchld;
    std::unordered_map<std::string, PodRun> pods;
    std::unordered_map<pid_t, PidRef> pids;
    std::set<pid_t> orphans;  // killed containers of deleted pods, not reaped yet
    std::map<pid_t, std::shared_ptr<Loop::Timer>> kill_timers;
};

Kubelet::Kubelet(Loop& loop, Store& store, Faults& faults, EventRecorder& events,
                 KubeletOptions options)
    : impl_(std::make_unique<Impl>(loop, store, faults, events, std::move(options))) {}

Kubelet::~Kubelet() = default;

void Kubelet::shutdown(std::chrono::milliseconds grace) {
    std::set<pid_t> live = impl_->orphans;
    for (const auto& [pid, ref] : impl_->pids) {
        live.insert(pid);
    }
    std::set<pid_t> groups = live;
    for (const auto& [pgid, timer] : impl_->kill_timers) {
        groups.insert(pgid);
    }
    for (pid_t pgid : groups) {
        signal_group(pgid, SIGTERM);
    }
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (!live.empty() && std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        const pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            live.erase(pid);
        } else {
            // Nothing exited yet; no event source is available once the loop has stopped.
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    // SIGKILL every group, including ones whose leader is gone, so that grandchildren die too.
    for (pid_t pgid : groups) {
        signal_group(pgid, SIGKILL);
    }
    for (pid_t pid : live) {
        int status = 0;
        waitpid(pid, &status, 0);
    }
    impl_->pids.clear();
    impl_->orphans.clear();
    impl_->kill_timers.clear();
}

std::optional<std::string> Kubelet::log(const std::string& ns, const std::string& pod,
                                        const std::string& container) const {
    for (const auto& [uid, p] : impl_->pods) {
        if (p.ns == ns && p.name == pod) {
            std::ifstream in(p.dir + "/" + container + ".log", std::ios::binary);
            if (!in) {
                return std::nullopt;
            }
            std::ostringstream ss;
            ss << in.rdbuf();
            return ss.str();
        }
    }
    return std::nullopt;
}

json Kubelet::stats() const {
    return {{"runningContainers", impl_->pids.size()},
            {"pods", impl_->pods.size()},
            {"terminatingProcesses", impl_->orphans.size()},
            {"mountMode", impl_->options.mount_namespace ? "namespace" : "rewrite"}};
}

}  // namespace kemu
