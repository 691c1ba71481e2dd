// The client against the local Kubernetes API emulator: real REST semantics end to end.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>

#include "test_server.hpp"
#include "tshost/kube/client.hpp"
#include "tshost/kube/informer.hpp"

namespace tk = tshost::kube;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

class Emulator {
  public:
    explicit Emulator(const kubetest::TempDir& dir) : kubeconfig_(dir.file("kubeconfig")) {
        std::vector<std::string> args{KUBE_EMULATOR_BIN,    "--listen",  "127.0.0.1:0",
                                      "--write-kubeconfig", kubeconfig_, "--workdir",
                                      dir.file("work")};
        std::vector<char*> argv;
        for (auto& a : args) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, dir.file("emulator.log").c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            pid_ = -1;
        }
    }
    ~Emulator() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    // The kubeconfig appears once the emulator listens; load it as a user would (bounded wait).
    std::optional<tk::ResolvedConfig> config(std::chrono::milliseconds timeout) const {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            try {
                tk::LoadOptions o;
                o.kubeconfig = kubeconfig_;
                o.namespace_name = "default";
                return tk::loadConfig(o);
            } catch (const tk::KubeError&) {
                tk::Cancellation().sleepFor(20ms);  // not yet written
            }
        }
        return std::nullopt;
    }

  private:
    std::string kubeconfig_;
    pid_t pid_ = -1;
};

json tfjob(const std::string& name) {
    json container = {{"name", "tensorflow"}, {"image", "busybox"}, {"command", {"true"}}};
    return {{"apiVersion", "kubeflow.org/v1"},
            {"kind", "TFJob"},
            {"metadata",
             {{"name", name}, {"labels", {{"app", "nni-kubernetes-trial"}, {"expId", "exp1"}}}}},
            {"spec",
             {{"tfReplicaSpecs",
               {{"Worker",
                 {{"replicas", 1},
                  {"restartPolicy", "Never"},
                  {"template", {{"spec", {{"containers", {container}}}}}}}}}}}}};
}

}  // namespace

TEST(Emulator, CreateListWatchDeleteTfJob) {
    kubetest::TempDir dir;
    Emulator emulator(dir);
    auto cfg = emulator.config(20s);
    ASSERT_TRUE(cfg) << "the emulator did not write its kubeconfig";
    tk::ClientOptions options;
    options.config = *cfg;
    tk::Client client(options);
    tk::ResourceRef tfjobs{"kubeflow.org", "v1", "tfjobs", ""};

    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::string> added, deleted;
    tk::Informer informer(client, tfjobs, "app=nni-kubernetes-trial,expId=exp1",
                          {[&](const json& o) {
                               std::lock_guard lock(mutex);
                               added.push_back(o["metadata"]["name"]);
                               cv.notify_all();
                           },
                           {},
                           [&](const json& o) {
                               std::lock_guard lock(mutex);
                               deleted.push_back(o["metadata"]["name"]);
                               cv.notify_all();
                           },
                           {}});
    informer.start();
    ASSERT_TRUE(informer.waitForSync(10s));

    auto created = client.create(tfjobs, tfjob("nni-exp-exp1-trial-a"));
    EXPECT_FALSE(created.recovered_after_ambiguous_failure);
    EXPECT_FALSE(created.object["metadata"]["resourceVersion"].get<std::string>().empty());
    try {
        client.create(tfjobs, tfjob("nni-exp-exp1-trial-a"));
        ADD_FAILURE() << "duplicate create accepted";
    } catch (const tk::KubeError& e) {
        EXPECT_EQ(e.code(), 409);
    }
    auto listed = client.list(tfjobs, {"expId=exp1", "", 500, ""});
    ASSERT_EQ(listed.items.size(), 1u);
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return !added.empty(); }));
        EXPECT_EQ(added.front(), "nni-exp-exp1-trial-a");
    }
    client.removeCollection(tfjobs, "app=nni-kubernetes-trial,expId=exp1");
    {
        std::unique_lock lock(mutex);
        EXPECT_TRUE(cv.wait_for(lock, 10s, [&] { return !deleted.empty(); }));
    }
    informer.stop();
}
