// The fixture of the Kubernetes platform plugins' lifecycle tests: the plugin loaded through the
// host's loader and driven as the engine drives it, against the kube emulator, with the nfs
// plugin in localMountPath mode on the directory the emulator maps the nfs volume to. The trial
// agent on the share is a stand-in the test names (it records its environment and execs the
// role's command; the real agent runs in the end-to-end tests).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "emulator_fixture.hpp"
#include "load_plugin.hpp"
#include "plugin/event_queue.hpp"
#include "plugin/instance.hpp"

namespace tshost::test {

class PluginLifecycle : public testing::Test {
  protected:
    static constexpr auto kTimeout = std::chrono::seconds(60);

    /// `experiment`: the experiment id; `stub_agent`: the agent's Python source.
    PluginLifecycle(std::string experiment, std::string stub_agent)
        : exp_(std::move(experiment)), stub_agent_(std::move(stub_agent)) {}

    void SetUp() override {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        std::string name = std::string(info->test_suite_name()) + "-" + info->name();
        std::replace(name.begin(), name.end(), '/', '-');
        root_ = std::filesystem::path(testing::TempDir()) / ("life-" + name);
        std::filesystem::remove_all(root_);
        emulator_ = std::make_unique<kemu::test::Emulator>(
            std::vector<std::string>{"--nfs-root", (root_ / "nfs").string()});
        share_ = root_ / "nfs" / "127.0.0.1" / "export";
        const std::filesystem::path kit = share_ / "nni" / exp_ / ".tshost" / "kit";
        std::filesystem::create_directories(kit);
        storage_ = std::make_unique<plugin::StorageInstance>(
            load_plugin_or_throw(TSHOST_NFS_PLUGIN),
            nlohmann::json{{"server", "127.0.0.1"}, {"path", "/export"}, {"localMountPath", share_}}
                .dump(),
            plugin::InstanceOptions{});
        // What the host uploads once per experiment: the kit and an (empty) code manifest.
        std::filesystem::copy_file(TSHOST_MATERIALIZE_SH, kit / "materialize_code.sh");
        std::ofstream(kit / "tshost_agent.py") << stub_agent_;
        std::ofstream(share_ / "nni" / exp_ / "code.manifest");
    }

    /// The platform plugin at `path` with config `section`, started.
    std::unique_ptr<plugin::PlatformInstance> start_platform(const char* path,
                                                             const nlohmann::json& section) {
        plugin::InstanceOptions options;
        options.experiment_json = nlohmann::json{{"experimentId", exp_}}.dump();
        options.events = &events_;
        options.storage = storage_->access();
        auto p = std::make_unique<plugin::PlatformInstance>(load_plugin_or_throw(path),
                                                            section.dump(), options);
        p->start();
        return p;
    }

    /// A trial as the engine submits it, its parameters written to its directory first.
    plugin::TrialSpec trial(const std::string& id) {
        const std::string dir = "nni/" + exp_ + "/" + id;
        storage_->write_file(dir + "/parameter.cfg", R"({"parameters": {"x": 1}})");
        const nlohmann::json spec = {
            {"attempt", 0},
            {"trialDir", dir},
            {"kitDir", "nni/" + exp_ + "/.tshost/kit"},
            {"codeManifest", "nni/" + exp_ + "/code.manifest"},
            {"casDir", "nni/.cas"},
            {"metrics", {{"url", "http://127.0.0.1:9"}, {"token", "tok-" + id}}}};
        return {id, 0, R"({"parameters": {"x": 1}})", spec.dump()};
    }

    /// The first status payload of `id` that satisfies `done` (bounded by kTimeout); every
    /// status seen is kept in seen_.
    nlohmann::json wait_status(const std::string& id,
                               const std::function<bool(const nlohmann::json&)>& done) {
        const auto deadline = std::chrono::steady_clock::now() + kTimeout;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto e = events_.pop(std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()));
            if (!e) {
                break;
            }
            if (e->type == "trial.status" && e->trial_id == id) {
                nlohmann::json p = nlohmann::json::parse(e->payload_json);
                seen_.push_back(p["status"]);
                if (done(p)) {
                    return p;
                }
            }
        }
        ADD_FAILURE() << "timed out on trial " << id << "; seen " << nlohmann::json(seen_).dump()
                      << "\n"
                      << emulator_->log();
        return nlohmann::json::object();
    }
    nlohmann::json wait_for(const std::string& id, const std::string& status) {
        return wait_status(id, [&](const nlohmann::json& p) { return p["status"] == status; });
    }
    static bool ended(const nlohmann::json& p) {
        return p["status"] != "RUNNING" && p["status"] != "WAITING";
    }

    void expect_no_pods() {
        const nlohmann::json pods =
            emulator_->wait_for("/api/v1/namespaces/nni/pods", [](const nlohmann::json& l) {
                return l.value("items", nlohmann::json::array()).empty();
            });
        EXPECT_TRUE(pods.value("items", nlohmann::json::array()).empty()) << pods.dump();
    }

    /// The content of `p` once it exists (the agent renames it into place), bounded by kTimeout.
    static std::string read_when_there(const std::filesystem::path& p) {
        const auto deadline = std::chrono::steady_clock::now() + kTimeout;
        while (!std::filesystem::exists(p) && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        std::ifstream in(p);
        return std::string((std::istreambuf_iterator<char>(in)), {});
    }

    const std::string exp_;
    const std::string stub_agent_;
    std::filesystem::path root_, share_;
    std::unique_ptr<kemu::test::Emulator> emulator_;
    std::unique_ptr<plugin::StorageInstance> storage_;
    plugin::EventQueue events_;
    std::vector<std::string> seen_;
};

}  // namespace tshost::test
