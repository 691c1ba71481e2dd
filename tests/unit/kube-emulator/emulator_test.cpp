// End-to-end tests against the real kube-emulator binary: HTTP, kubectl, operators, processes.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "emulator_fixture.hpp"

namespace kemu::test {
namespace {

const std::string kTfJobs = "/apis/kubeflow.org/v1/namespaces/default/tfjobs";
const std::string kPyTorchJobs = "/apis/kubeflow.org/v1/namespaces/default/pytorchjobs";
const std::string kPods = "/api/v1/namespaces/default/pods";

json container(const std::string& name, const std::string& script,
               const std::string& image = "busybox") {
    return {{"name", name}, {"image", image}, {"command", {"sh", "-c", script}}};
}

json tfjob(const std::string& name,
           const std::map<std::string, std::pair<int, std::string>>& replicas) {
    json specs = json::object();
    for (const auto& [type, r] : replicas) {
        specs[type] = {
            {"replicas", r.first},
            {"template", {{"spec", {{"containers", {container("tensorflow", r.second)}}}}}}};
    }
    return {{"apiVersion", "kubeflow.org/v1"},
            {"kind", "TFJob"},
            {"metadata", {{"name", name}, {"labels", {{"app", "nni"}}}}},
            {"spec", {{"tfReplicaSpecs", specs}}}};
}

json framework(const std::string& name, int tasks, const std::string& script, int min_failed = 1,
               int min_succeeded = -1) {
    return {{"apiVersion", "frameworkcontroller.microsoft.com/v1"},
            {"kind", "Framework"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"executionType", "Start"},
              {"taskRoles",
               {{{"name", "worker"},
                 {"taskNumber", tasks},
                 {"frameworkAttemptCompletionPolicy",
                  {{"minFailedTaskCount", min_failed}, {"minSucceededTaskCount", min_succeeded}}},
                 {"task",
                  {{"pod",
                    {{"spec",
                      {{"restartPolicy", "Never"},
                       {"containers", {container("framework", script)}}}}}}}}}}}}}};
}

std::string last_condition(const json& job) {
    const json conds = job.value("status", json::object()).value("conditions", json::array());
    return conds.empty() ? "" : conds.back().value("type", "");
}

bool has_kubectl() {
    return std::filesystem::exists("/usr/bin/kubectl");
}

TEST(KubeEmulator, DiscoveryAndErrors) {
    Emulator emu;
    EXPECT_EQ(emu.request("GET", "/version").json_body()["major"], "1");
    const json list = emu.request("GET", "/apis/kubeflow.org/v1").json_body();
    EXPECT_EQ(list["kind"], "APIResourceList");
    auto nf = emu.request("GET", "/no/such/path");
    EXPECT_EQ(nf.code, 404);
    EXPECT_EQ(nf.json_body()["kind"], "Status");
    auto missing = emu.request("GET", kTfJobs + "/nope");
    EXPECT_EQ(missing.code, 404);
    EXPECT_EQ(missing.json_body()["reason"], "NotFound");
    EXPECT_EQ(missing.json_body()["details"]["kind"], "tfjobs");
    auto bad = emu.request("POST", kTfJobs, "{not json");
    EXPECT_EQ(bad.code, 400);
    EXPECT_EQ(bad.json_body()["reason"], "BadRequest");
    const std::string big(4 * 1024 * 1024, 'x');
    EXPECT_EQ(emu.request("POST", kTfJobs, big).code, 413);
    auto ssar = emu.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                            R"({"spec":{"resourceAttributes":{"verb":"create"}}})");
    EXPECT_EQ(ssar.code, 201);
    EXPECT_EQ(ssar.json_body()["status"]["allowed"], true);
    // Still alive and answering after the bad input.
    EXPECT_EQ(emu.request("GET", "/version").code, 200);
}

TEST(KubeEmulator, CrudConflictPatchAndResourceVersion) {
    Emulator emu;
    const json job = tfjob("crud", {{"Worker", {1, "sleep 30"}}});
    auto created = emu.request("POST", kTfJobs, job.dump());
    ASSERT_EQ(created.code, 201) << created.body;
    const json obj = created.json_body();
    EXPECT_FALSE(obj["metadata"]["uid"].get<std::string>().empty());
    EXPECT_EQ(obj["metadata"]["generation"], 1);
    EXPECT_EQ(emu.request("POST", kTfJobs, job.dump()).json_body()["reason"], "AlreadyExists");
    // Stale resourceVersion → 409 Conflict.
    json stale = obj;
    stale["metadata"]["resourceVersion"] = "1";
    auto conflict = emu.request("PUT", kTfJobs + "/crud", stale.dump());
    EXPECT_EQ(conflict.code, 409);
    EXPECT_EQ(conflict.json_body()["reason"], "Conflict");
    auto patched = emu.request("PATCH", kTfJobs + "/crud", R"({"metadata":{"labels":{"x":"y"}}})",
                               "application/merge-patch+json");
    ASSERT_EQ(patched.code, 200) << patched.body;
    EXPECT_EQ(patched.json_body()["metadata"]["labels"]["x"], "y");
    EXPECT_GT(std::stoull(patched.json_body()["metadata"]["resourceVersion"].get<std::string>()),
              std::stoull(obj["metadata"]["resourceVersion"].get<std::string>()));
    auto del = emu.request("DELETE", kTfJobs + "/crud", R"({"propagationPolicy":"Foreground"})");
    EXPECT_EQ(del.code, 200);
    EXPECT_EQ(emu.request("GET", kTfJobs + "/crud").code, 404);
    // Foreground deletion removed the pods too.
    EXPECT_TRUE(emu.request("GET", kPods + "?labelSelector=training.kubeflow.org/job-name=crud")
                    .json_body()["items"]
                    .empty());
}

TEST(KubeEmulator, TFJobSucceedsAndFails) {
    Emulator emu;
    ASSERT_EQ(emu.request("POST", kTfJobs, tfjob("ok", {{"Worker", {2, "exit 0"}}}).dump()).code,
              201);
    // Both workers fail (exit 3 and 4): with the default success policy a succeeding worker-0
    // alone would make the TFJob succeed, whatever the other workers do.
    ASSERT_EQ(emu.request("POST", kTfJobs,
                          tfjob("bad", {{"Worker", {2, "exit $((${HOSTNAME##*-} + 3))"}}}).dump())
                  .code,
              201);
    const json ok = emu.wait_for(kTfJobs + "/ok",
                                 [](const json& j) { return last_condition(j) == "Succeeded"; });
    EXPECT_EQ(last_condition(ok), "Succeeded");
    // The job is decided once worker-0 succeeds; the operator stops counting after that.
    EXPECT_GE(ok["status"]["replicaStatuses"]["Worker"].value("succeeded", 0), 1);
    EXPECT_TRUE(ok["status"].contains("completionTime"));
    EXPECT_EQ(ok["status"]["conditions"].back()["reason"], "TFJobSucceeded");
    const json bad =
        emu.wait_for(kTfJobs + "/bad", [](const json& j) { return last_condition(j) == "Failed"; });
    ASSERT_EQ(last_condition(bad), "Failed");
    EXPECT_EQ(bad["status"]["conditions"].back()["reason"], "TFJobFailed");
    EXPECT_NE(bad["status"]["conditions"].back()["message"].get<std::string>().find(
                  "Worker replica(s) failed"),
              std::string::npos);
    // The job fails as soon as worker-0 does; worker-1 may still be exiting.
    const json pod = emu.wait_for(kPods + "/bad-worker-1", [](const json& p) {
        return p["status"].value("phase", "") == "Failed";
    });
    EXPECT_EQ(pod["status"]["phase"], "Failed");
    EXPECT_EQ(pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"], 4);
    EXPECT_EQ(pod["metadata"]["labels"]["training.kubeflow.org/replica-type"], "worker");
    EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["kind"], "TFJob");
}

TEST(KubeEmulator, PyTorchJobRunsMasterAndCleansPods) {
    Emulator emu;
    json job = {
        {"apiVersion", "kubeflow.org/v1"},
        {"kind", "PyTorchJob"},
        {"metadata", {{"name", "pt"}}},
        {"spec",
         {{"runPolicy", {{"cleanPodPolicy", "All"}}},
          {"pytorchReplicaSpecs",
           {{"Master",
             {{"replicas", 1},
              {"restartPolicy", "Never"},
              {"template",
               {{"spec", {{"containers", {container("pytorch", "test \"$RANK\" = 0")}}}}}}}},
            {"Worker",
             {{"replicas", 1},
              {"restartPolicy", "Never"},
              {"template",
               {{"spec",
                 {{"containers", {container("pytorch", "test \"$WORLD_SIZE\" = 2")}}}}}}}}}}}}};
    ASSERT_EQ(emu.request("POST", kPyTorchJobs, job.dump()).code, 201);
    const json done = emu.wait_for(kPyTorchJobs + "/pt",
                                   [](const json& j) { return last_condition(j) == "Succeeded"; });
    EXPECT_EQ(last_condition(done), "Succeeded");
    const json pods = emu.wait_for(kPods, [](const json& l) { return l["items"].empty(); });
    EXPECT_TRUE(pods["items"].empty()) << "cleanPodPolicy All deletes the pods";
}

TEST(KubeEmulator, FrameworkStateMachineAndCompletionPolicy) {
    Emulator emu;
    ASSERT_EQ(emu.request("POST", kFrameworks, framework("fwok", 2, "exit 0").dump()).code, 201);
    ASSERT_EQ(emu.request("POST", kFrameworks,
                          framework("fwbad", 3, "exit $((FC_TASK_INDEX == 1 ? 210 : 0))").dump())
                  .code,
              201);
    // Watch the successful one go through the attempt states in order.
    std::vector<std::string> states;
    emu.watch(
        kFrameworks + "?watch=1&fieldSelector=metadata.name=fwok",
        [&](const std::vector<json>& evs) {
            const json& s = evs.back()["object"].value("status", json());
            if (s.is_object() && (states.empty() || states.back() != s["state"])) {
                states.push_back(s["state"]);
            }
            return !states.empty() && states.back() == "Completed";
        },
        std::chrono::seconds(20));
    ASSERT_FALSE(states.empty());
    EXPECT_EQ(states.back(), "Completed");
    const json ok = emu.request("GET", kFrameworks + "/fwok").json_body();
    EXPECT_EQ(ok["status"]["attemptStatus"]["completionStatus"]["type"]["name"], "Succeeded");
    EXPECT_EQ(ok["status"]["attemptStatus"]["completionStatus"]["code"], 0);
    EXPECT_EQ(ok["status"]["attemptStatus"]["taskRoleStatuses"][0]["taskStatuses"].size(), 2u);
    const json bad = emu.wait_for(kFrameworks + "/fwbad", [](const json& j) {
        return j.contains("status") && j["status"].value("state", "") == "Completed";
    });
    const json& cs = bad["status"]["attemptStatus"]["completionStatus"];
    EXPECT_EQ(cs["type"]["name"], "Failed");
    EXPECT_EQ(cs["code"], 210);
    EXPECT_EQ(cs["phrase"], "ContainerPermanentFailed");
    EXPECT_EQ(cs["trigger"]["taskIndex"], 1);
    // FrameworkController deletes the attempt's pods when it completes.
    EXPECT_TRUE(
        emu.wait_for(kPods, [](const json& l) { return l["items"].empty(); })["items"].empty());
}

TEST(KubeEmulator, FrameworkStopCompletesWithStopCode) {
    Emulator emu;
    ASSERT_EQ(emu.request("POST", kFrameworks, framework("fwstop", 1, "sleep 300").dump()).code,
              201);
    emu.wait_for(kFrameworks + "/fwstop", [](const json& j) {
        return j.contains("status") && j["status"].value("state", "") == "AttemptRunning";
    });
    ASSERT_EQ(emu.request("PATCH", kFrameworks + "/fwstop", R"({"spec":{"executionType":"Stop"}})",
                          "application/merge-patch+json")
                  .code,
              200);
    const json j = emu.wait_for(kFrameworks + "/fwstop", [](const json& o) {
        return o["status"].value("state", "") == "Completed";
    });
    EXPECT_EQ(j["status"]["attemptStatus"]["completionStatus"]["code"], -210);
}

TEST(KubeEmulator, WebhookRejections) {
    Emulator emu;
    json no_tf = tfjob("notf", {{"Worker", {1, "true"}}});
    no_tf["spec"]["tfReplicaSpecs"]["Worker"]["template"]["spec"]["containers"][0]["name"] = "main";
    auto r = emu.request("POST", kTfJobs, no_tf.dump());
    EXPECT_EQ(r.code, 422);
    EXPECT_EQ(r.json_body()["reason"], "Invalid");
    EXPECT_NE(r.body.find("must have at least one container with name tensorflow"),
              std::string::npos);
    EXPECT_EQ(r.json_body()["details"]["causes"][0]["field"],
              "spec.tfReplicaSpecs[Worker].template.spec.containers");

    json two_chiefs = tfjob("chiefs", {{"Chief", {1, "true"}}, {"Master", {1, "true"}}});
    EXPECT_NE(
        emu.request("POST", kTfJobs, two_chiefs.dump()).body.find("more than 1 Chief or Master"),
        std::string::npos);
    EXPECT_EQ(emu.request("POST", kTfJobs, tfjob("1abc", {{"Worker", {1, "true"}}}).dump()).code,
              422);

    json pt = {
        {"apiVersion", "kubeflow.org/v1"},
        {"kind", "PyTorchJob"},
        {"metadata", {{"name", "pt"}}},
        {"spec",
         {{"pytorchReplicaSpecs",
           {{"Master",
             {{"replicas", 2},
              {"template", {{"spec", {{"containers", {container("pytorch", "true")}}}}}}}}}}}}};
    auto p = emu.request("POST", kPyTorchJobs, pt.dump());
    EXPECT_EQ(p.code, 422);
    EXPECT_NE(p.body.find("spec.pytorchReplicaSpecs[Master].replicas"), std::string::npos);

    json fw = framework("fw", 1, "true");
    fw["spec"]["taskRoles"][0]["name"] = "Bad_Role";
    fw["spec"]["taskRoles"][0]["taskNumber"] = 10001;
    auto f = emu.request("POST", kFrameworks, fw.dump());
    EXPECT_EQ(f.code, 422);
    EXPECT_NE(f.body.find("spec.taskRoles[0].name"), std::string::npos);
    EXPECT_NE(f.body.find("spec.taskRoles[0].taskNumber"), std::string::npos);
}

TEST(KubeEmulator, CrdSchemaRejections) {
    Emulator emu;
    if (!emu.request("GET", "/emulator/v1/stats").json_body().value("schemaValidation", false)) {
        GTEST_SKIP() << "built without the JSON Schema library";
    }
    json job = tfjob("schema", {{"Worker", {1, "true"}}});
    job["spec"]["tfReplicaSpecs"]["Worker"]["replicas"] = "two";
    auto r = emu.request("POST", kTfJobs, job.dump());
    EXPECT_EQ(r.code, 422) << r.body;
    EXPECT_EQ(r.json_body()["reason"], "Invalid");
    EXPECT_NE(r.body.find("replicas"), std::string::npos) << r.body;
    json unknown = tfjob("schema2", {{"Worker", {1, "true"}}});
    unknown["spec"]["runPolicy"]["backoffLimit"] = "often";
    EXPECT_EQ(emu.request("POST", kTfJobs, unknown.dump()).code, 422);
    EXPECT_EQ(emu.request("POST", kTfJobs, tfjob("schema3", {{"Worker", {1, "true"}}}).dump()).code,
              201);
}

TEST(KubeEmulator, WatchOrderResumeBookmarkAndGone) {
    Emulator emu({"--watch-history", "8", "--bookmark-interval-ms", "200"});
    const std::string secrets = "/api/v1/namespaces/default/secrets";
    auto first =
        emu.request("POST", secrets, R"({"metadata":{"name":"s1"},"stringData":{"a":"b"}})");
    const std::string rv1 = first.json_body()["metadata"]["resourceVersion"];
    emu.request("PATCH", secrets + "/s1", R"({"metadata":{"labels":{"k":"v"}}})",
                "application/merge-patch+json");
    emu.request("DELETE", secrets + "/s1");
    // Resume right after the create: MODIFIED then DELETED, in order.
    auto evs = emu.watch(
        secrets + "?watch=1&resourceVersion=" + rv1,
        [](const std::vector<json>& e) { return e.size() >= 2; }, std::chrono::seconds(5));
    ASSERT_GE(evs.size(), 2u);
    EXPECT_EQ(evs[0]["type"], "MODIFIED");
    EXPECT_EQ(evs[1]["type"], "DELETED");
    // Bookmarks arrive on an idle watch that allows them.
    auto marks = emu.watch(
        secrets + "?watch=1&allowWatchBookmarks=true&resourceVersion=" + rv1,
        [](const std::vector<json>& e) { return e.back()["type"] == "BOOKMARK"; },
        std::chrono::seconds(5));
    ASSERT_FALSE(marks.empty());
    EXPECT_EQ(marks.back()["type"], "BOOKMARK");
    // Push the create out of the 8-event history: resuming from it is now 410 Gone.
    for (int i = 0; i < 10; ++i) {
        emu.request("POST", secrets,
                    json{{"metadata", {{"name", "f" + std::to_string(i)}}}}.dump());
    }
    auto gone = emu.watch(
        secrets + "?watch=1&resourceVersion=" + rv1,
        [](const std::vector<json>& e) { return !e.empty(); }, std::chrono::seconds(5));
    ASSERT_EQ(gone.size(), 1u);
    EXPECT_EQ(gone[0]["type"], "ERROR");
    EXPECT_EQ(gone[0]["object"]["code"], 410);
    EXPECT_EQ(gone[0]["object"]["reason"], "Expired");
    // A watch with timeoutSeconds ends by itself.
    auto timed = emu.watch(
        secrets + "?watch=1&timeoutSeconds=1", [](const std::vector<json>&) { return false; },
        std::chrono::seconds(10));
    EXPECT_EQ(timed.size(), 10u) << emu.request("GET", secrets).error
                                 << emu.log();  // synthetic ADDED events
}

TEST(KubeEmulator, LabelSelectorsPaginationAndDeleteCollection) {
    Emulator emu;
    const std::string secrets = "/api/v1/namespaces/default/secrets";
    for (int i = 0; i < 7; ++i) {
        const json s = {{"metadata",
                         {{"name", "s" + std::to_string(i)},
                          {"labels", {{"app", "nni"}, {"trial", std::to_string(i % 3)}}}}}};
        ASSERT_EQ(emu.request("POST", secrets, s.dump()).code, 201);
    }
    EXPECT_EQ(emu.request("GET", secrets + "?labelSelector=trial%20in%20(0,1)")
                  .json_body()["items"]
                  .size(),
              5u);
    EXPECT_EQ(
        emu.request("GET", secrets + "?labelSelector=trial!=0,app").json_body()["items"].size(),
        4u);
    EXPECT_EQ(emu.request("GET", secrets + "?labelSelector=!app").json_body()["items"].size(), 0u);
    EXPECT_EQ(emu.request("GET", secrets + "?labelSelector=a%20in%20(").code, 400);
    std::vector<std::string> names;
    std::string cont;
    for (int page = 0; page < 10; ++page) {
        const json l =
            emu.request("GET", secrets + "?limit=3" + (cont.empty() ? "" : "&continue=" + cont))
                .json_body();
        for (const auto& item : l["items"]) {
            names.push_back(item["metadata"]["name"]);
        }
        cont = l["metadata"].value("continue", "");
        if (cont.empty()) {
            break;
        }
    }
    EXPECT_EQ(names.size(), 7u);
    auto dc = emu.request("DELETE", secrets + "?labelSelector=trial=1");
    EXPECT_EQ(dc.json_body()["items"].size(), 2u);
    EXPECT_EQ(emu.request("GET", secrets).json_body()["items"].size(), 5u);
}

TEST(KubeEmulator, FaultInjection) {
    Emulator emu;
    auto set = emu.request(
        "POST", "/emulator/v1/faults",
        R"({"rules":[{"verb":"create","resource":"tfjobs","code":429,"count":2,"retryAfterSeconds":1}]})");
    ASSERT_EQ(set.code, 200) << set.body;
    const std::string body = tfjob("flt", {{"Worker", {1, "true"}}}).dump();
    auto r1 = emu.request("POST", kTfJobs, body);
    EXPECT_EQ(r1.code, 429);
    EXPECT_EQ(r1.json_body()["reason"], "TooManyRequests");
    EXPECT_NE(r1.headers.find("Retry-After: 1"), std::string::npos);
    EXPECT_EQ(emu.request("POST", kTfJobs, body).code, 429);
    EXPECT_EQ(emu.request("POST", kTfJobs, body).code, 201);
    // A pod whose image can't be pulled stays Pending with ErrImagePull / ImagePullBackOff.
    const json pod = {
        {"metadata", {{"name", "nopull"}}},
        {"spec", {{"containers", {container("c", "true", "registry/does-not-exist:1")}}}}};
    ASSERT_EQ(emu.request("POST", kPods, pod.dump()).code, 201);
    const json p = emu.wait_for(kPods + "/nopull", [](const json& o) {
        const auto cs = o["status"].value("containerStatuses", json::array());
        return !cs.empty() && cs[0]["state"].contains("waiting") &&
               cs[0]["state"]["waiting"].value("reason", "") == "ImagePullBackOff";
    });
    EXPECT_EQ(p["status"]["phase"], "Pending");
    EXPECT_EQ(p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
              "ImagePullBackOff");
    const json events =
        emu.request("GET",
                    "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=nopull")
            .json_body();
    bool warned = false;
    for (const auto& e : events["items"]) {
        warned = warned || (e["type"] == "Warning" && e["message"] == "Error: ErrImagePull");
    }
    EXPECT_TRUE(warned);
    // A pod whose nodeSelector the one node cannot satisfy is never scheduled; one it satisfies
    // runs.
    const json stray = {{"metadata", {{"name", "stray"}}},
                        {"spec",
                         {{"nodeSelector", {{"accelerator", "nvidia-a100"}}},
                          {"containers", {container("c", "true", "busybox")}}}}};
    ASSERT_EQ(emu.request("POST", kPods, stray.dump()).code, 201);
    const json unplaced = emu.wait_for(kPods + "/stray", [](const json& o) {
        return !o["status"].value("conditions", json::array()).empty();
    });
    const json scheduled = unplaced["status"]["conditions"][0];
    EXPECT_EQ(scheduled["type"], "PodScheduled");
    EXPECT_EQ(scheduled["status"], "False");
    EXPECT_EQ(scheduled["reason"], "Unschedulable");
    EXPECT_EQ(unplaced["status"]["phase"], "Pending");
    EXPECT_FALSE(unplaced["spec"].contains("nodeName"));
    const json placed_pod = {{"metadata", {{"name", "placed"}}},
                             {"spec",
                              {{"nodeSelector", {{"kubernetes.io/os", "linux"}}},
                               {"restartPolicy", "Never"},
                               {"containers", {container("c", "true", "busybox")}}}}};
    ASSERT_EQ(emu.request("POST", kPods, placed_pod.dump()).code, 201);
    const json placed = emu.wait_for(kPods + "/placed", [](const json& o) {
        return o["status"].value("phase", "") == "Succeeded";
    });
    EXPECT_EQ(placed["status"]["phase"], "Succeeded");
    EXPECT_EQ(placed["spec"].value("nodeName", ""), "kube-emulator");
    // Dropping watches ends an open stream.
    std::thread dropper([&] {
        emu.wait_for("/emulator/v1/stats",
                     [](const json& s) { return s["watchers"].get<int>() > 0; });
        emu.request("POST", "/emulator/v1/faults", R"({"dropWatches":true})");
    });
    const auto start = std::chrono::steady_clock::now();
    emu.watch(
        kPods + "?watch=1&resourceVersion=" +
            emu.request("GET", kPods).json_body()["metadata"]["resourceVersion"].get<std::string>(),
        [](const std::vector<json>&) { return false; }, std::chrono::seconds(20));
    dropper.join();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
    EXPECT_EQ(emu.request("DELETE", "/emulator/v1/faults").code, 200);
}

TEST(KubeEmulator, NfsVolumeMapsToLocalDirectory) {
    Emulator emu;
    const std::string export_dir = emu.dir() + "/work/nfs/10.0.0.5/export/nni";
    std::filesystem::create_directories(export_dir);
    std::ofstream(export_dir + "/input.txt") << "hello-from-nfs\n";
    const json pod = {
        {"metadata", {{"name", "nfs"}}},
        {"spec",
         {{"restartPolicy", "Never"},
          {"volumes",
           {{{"name", "nni-vol"}, {"nfs", {{"server", "10.0.0.5"}, {"path", "/export/nni"}}}},
            {{"name", "key"}, {"secret", {{"secretName", "key"}}}}}},
          {"containers",
           {{{"name", "c"},
             {"image", "busybox"},
             {"command",
              {"sh", "-c",
               "cat /tmp/mount/input.txt /tmp/kemu-test-secret/token > /tmp/mount/output.txt"}},
             {"volumeMounts",
              {{{"name", "nni-vol"}, {"mountPath", "/tmp/mount"}},
               {{"name", "key"}, {"mountPath", "/tmp/kemu-test-secret"}}}}}}}}}};
    // A secret volume shows the decoded data as files.
    ASSERT_EQ(emu.request("POST", "/api/v1/namespaces/default/secrets",
                          R"({"metadata":{"name":"key"},"data":{"token":"czNjcjN0Cg=="}})")
                  .code,
              201);
    ASSERT_EQ(emu.request("POST", kPods, pod.dump()).code, 201);
    const json done = emu.wait_for(kPods + "/nfs", [](const json& o) {
        const std::string ph = o["status"].value("phase", "");
        return ph == "Succeeded" || ph == "Failed";
    });
    EXPECT_EQ(done["status"]["phase"], "Succeeded") << emu.request("GET", kPods + "/nfs/log").body;
    std::ifstream out(export_dir + "/output.txt");
    std::string line;
    std::getline(out, line);
    EXPECT_EQ(line, "hello-from-nfs");
    std::getline(out, line);
    EXPECT_EQ(line, "s3cr3t");
}

TEST(KubeEmulator, SigtermKillsPodProcesses) {
    Emulator emu;
    // The shell writes its pid to its working directory. The emulator's workdir is under the
    // host's /tmp, which the pod's own /tmp hides, so that directory is the pod's /tmp:
    // <pod dir>/tmp on this host.
    const json pod = {
        {"metadata", {{"name", "sleeper"}}},
        {"spec", {{"containers", {container("c", "echo $$$$ > pid; exec sleep 600")}}}}};
    const auto created = emu.request("POST", kPods, pod.dump());
    ASSERT_EQ(created.code, 201);
    const std::string uid = created.json_body()["metadata"]["uid"];
    const std::string pidfile =
        emu.dir() + "/work/pods/default/sleeper-" + uid.substr(0, 8) + "/tmp/pid";
    emu.wait_for(kPods + "/sleeper",
                 [](const json& o) { return o["status"].value("phase", "") == "Running"; });
    pid_t child = 0;
    for (int i = 0; i < 200 && child == 0; ++i) {  // the shell writes its pid right after starting
        std::ifstream in(pidfile);
        in >> child;
        if (child == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    ASSERT_GT(child, 0);
    EXPECT_EQ(kill(child, 0), 0);
    const int status = emu.terminate();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    bool gone = false;
    for (int i = 0; i < 200 && !gone; ++i) {  // reparented to init, which reaps it
        gone = kill(child, 0) != 0;
        if (!gone) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    EXPECT_TRUE(gone);
}

TEST(KubeEmulator, KubectlRoundTrip) {
    if (!has_kubectl()) {
        GTEST_SKIP() << "/usr/bin/kubectl not installed";
    }
    Emulator emu;
    const std::vector<std::pair<json, std::string>> objects = {
        {tfjob("kt", {{"Worker", {1, "sleep 60"}}}), "tfjobs"},
        {json{{"apiVersion", "kubeflow.org/v1"},
              {"kind", "PyTorchJob"},
              {"metadata", {{"name", "kp"}}},
              {"spec",
               {{"pytorchReplicaSpecs",
                 {{"Master",
                   {{"replicas", 1},
                    {"template",
                     {{"spec", {{"containers", {container("pytorch", "sleep 60")}}}}}}}}}}}}},
         "pytorchjobs"},
        {framework("kf", 1, "sleep 60"), "frameworks"}};
    for (const auto& [obj, plural] : objects) {
        const std::string file = emu.dir() + "/" + plural + ".json";
        std::ofstream(file) << obj.dump();
        std::string out;
        ASSERT_EQ(emu.kubectl("apply -f " + file, out), 0) << out;
        EXPECT_NE(out.find("created"), std::string::npos) << out;
        ASSERT_EQ(emu.kubectl("apply -f " + file, out), 0) << out;  // second apply: a patch
        const std::string name = obj["metadata"]["name"];
        ASSERT_EQ(emu.kubectl("get " + plural + " " + name + " -o json", out), 0) << out;
        EXPECT_EQ(json::parse(out)["metadata"]["name"], name);
    }
    std::string out;
    emu.wait_for(kPods, [](const json& l) { return l["items"].size() >= 3; });
    ASSERT_EQ(emu.kubectl("get pods", out), 0) << out;
    EXPECT_NE(out.find("kt-worker-0"), std::string::npos) << out;
    EXPECT_NE(out.find("kp-master-0"), std::string::npos) << out;
    EXPECT_NE(out.find("kf-worker-0"), std::string::npos) << out;
    for (const auto& [obj, plural] : objects) {
        ASSERT_EQ(
            emu.kubectl("delete " + plural + " " + obj["metadata"]["name"].get<std::string>(), out),
            0)
            << out;
    }
    EXPECT_TRUE(
        emu.wait_for(kPods, [](const json& l) { return l["items"].empty(); })["items"].empty());
}

}  // namespace
}  // namespace kemu::test
