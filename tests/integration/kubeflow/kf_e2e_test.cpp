// The Kubeflow platforms' trial page end to end: the real tshost binary with the kubeflow-tf /
// kubeflow-pytorch and nfs plugins against the kube emulator (training-operator simulated, pods
// as local processes), on the shared fixture of ../cluster-e2e, whose matrix runs what every
// platform shares.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "kube_e2e_fixture.hpp"
#include "metrics/trial_tokens.hpp"
#include "raw_http.hpp"

namespace {

namespace fs = std::filesystem;
using kube_e2e::json;

class KubeflowE2E : public kube_e2e::KubeE2E,
                    public testing::WithParamInterface<const kube_e2e::Platform*> {
  protected:
    KubeflowE2E() : KubeE2E(*GetParam(), kube_e2e::Storage::nfs) {}

    /// The id of the experiment's only trial once `replicas` of its replicas have a record
    /// stored ("" if not within 90 s). Read-only: the engine is the only writer.
    std::string held_trial_with_replicas(size_t replicas) const {
        std::string id;
        wait_until(
            [&] {
                try {
                    const auto d = tshost::db::ExperimentDb::open_read_only(db_path());
                    const auto trials = d.trials();
                    std::set<std::string> seen;
                    for (const auto& m : trials.size() == 1
                                             ? d.metrics(trials[0].id)
                                             : std::vector<tshost::db::MetricRow>{}) {
                        seen.insert(m.replica);
                    }
                    id = seen.size() >= replicas ? trials[0].id : "";
                } catch (const std::runtime_error&) {
                    // not created yet
                }
                return !id.empty();
            },
            std::chrono::seconds(90));
        return id;
    }
};

std::string file_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The trial page of a two-replica trial: the job as created, stored without the registry
// credentials or the trial's metrics token (neither in the database file nor in any
// answer of the portal), and metric routes that show the primary replica's records only.
TEST_P(KubeflowE2E, TheTrialPageShowsTheRedactedJobAndOnlyThePrimaryReplicasMetrics) {
    const std::string registry_secret = "cmVnaXN0cnktcGFzc3dvcmQtUDRzc3cwcmQ=";
    const fs::path auth = root_ / "docker-config.json";
    const std::string docker_config =
        R"({"auths": {"registry.example": {"auth": ")" + registry_secret + R"("}}})";
    std::ofstream(auth) << docker_config;
    // The Secret's data as the plugin sends it (base64 of the file).
    std::string encoded(4 * ((docker_config.size() + 2) / 3) + 1, '\0');
    encoded.resize(static_cast<size_t>(
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                        reinterpret_cast<const unsigned char*>(docker_config.data()),
                        static_cast<int>(docker_config.size()))));
    const std::vector<std::string> secrets_of_run = {registry_secret, encoded};
    // Every replica waits at the gate after its first result until the test has seen both
    // replicas' first records stored: a secondary replica's records count only while its
    // trial runs (the primary's end ends the trial), so that is when they are checked.
    kube_e2e::Experiment e;
    e.trials = 1;
    e.args = "--gate";
    e.role_extra = "privateRegistryAuthPath: " + auth.string() + "\n";
    const fs::path run_log = root_ / "run.log";
    const pid_t host = start(config(e), "run.log");
    const std::string both = held_trial_with_replicas(2);
    ASSERT_FALSE(both.empty()) << file_text(run_log) << "\n" << emulator_->log();
    release_trial(both);
    ASSERT_EQ(wait_process(host, 240), 0) << file_text(run_log) << "\n" << emulator_->log();
    const auto trials = db().trials();
    ASSERT_EQ(trials.size(), 1U);
    const auto& trial = trials[0];
    const std::string token =
        tshost::metrics::TrialTokens::from_key(file_text(root_ / "data" / kExp / "metrics.key"))
            .token(trial.id, 0);

    const auto stored_manifest = db().manifest(trial.id);
    ASSERT_TRUE(stored_manifest) << "the engine stores the submitted job";
    const json manifest = json::parse(*stored_manifest);
    EXPECT_EQ(manifest["kind"], platform_.kind);
    EXPECT_EQ(manifest["metadata"]["name"], job_name(trial.id));
    EXPECT_NE(stored_manifest->find("imagePullSecrets"), std::string::npos);
    EXPECT_NE(stored_manifest->find("<redacted>"), std::string::npos) << "the token's place";
    for (const auto& entry : fs::directory_iterator(root_ / "data" / kExp)) {
        if (entry.path().filename().string().starts_with("experiment.db")) {
            const std::string bytes = file_text(entry.path());
            for (const auto& secret : secrets_of_run) {
                EXPECT_EQ(bytes.find(secret), std::string::npos) << entry.path();
            }
            EXPECT_EQ(bytes.find(token), std::string::npos) << entry.path();
        }
    }
    // Both replicas' records are kept, and marked.
    std::map<std::string, int> stored;
    for (const auto& m : db().metrics(trial.id)) {
        EXPECT_EQ(m.primary, m.replica == platform_.primary) << m.replica;
        ++stored[m.replica];
    }
    ASSERT_EQ(stored.size(), 2U) << "both replicas report (trial.py)";
    EXPECT_EQ(stored[platform_.primary], 3);

    const fs::path log = root_ / "view.log";
    struct ViewProcess {
        pid_t pid;
        ~ViewProcess() {
            if (pid > 0) {  // a failed assertion left it running
                ::kill(pid, SIGKILL);
                wait_process(pid, 30);
            }
        }
    } view{start_tshost({"--data-dir", (root_ / "data").string(), "view", kExp, "--port", "0"},
                        log.string())};
    const uint16_t port = wait_for_portal_port(log.string());
    ASSERT_NE(port, 0) << file_text(log);
    const auto get = [&](const std::string& target) {
        const auto r = tshost::test::http_request(port, "GET", target);
        EXPECT_TRUE(r && r->status == 200) << target << ": " << (r ? r->body : "no answer");
        if (r) {
            for (const auto& secret : secrets_of_run) {
                EXPECT_EQ(r->body.find(secret), std::string::npos) << target;
            }
            EXPECT_EQ(r->body.find(token), std::string::npos) << target;
        }
        return r ? json::parse(r->body, nullptr, false) : json();
    };
    const json detail = get("/api/v1/tshost/trials/" + trial.id);
    ASSERT_TRUE(detail["manifest"].is_string()) << detail.dump();
    EXPECT_EQ(json::parse(detail["manifest"].get<std::string>()), manifest);
    get("/api/v1/tshost/overview");
    get("/api/v1/tshost/trials");
    const json points = get("/api/v1/tshost/metrics?trials=" + trial.id)["metrics"];
    EXPECT_EQ(points.size(), static_cast<size_t>(stored[platform_.primary])) << points.dump();
    EXPECT_EQ(get("/api/v1/nni/metric-data/" + trial.id).size(),
              static_cast<size_t>(stored[platform_.primary]));
    size_t listed = 0;
    for (const auto& m : detail["metrics"]) {
        listed += m["primary"] == true ? 1 : 0;
    }
    EXPECT_EQ(listed, static_cast<size_t>(stored[platform_.primary]));
    EXPECT_EQ(detail["metrics"].size(), db().metrics(trial.id).size());
    ::kill(view.pid, SIGTERM);
    EXPECT_EQ(wait_process(std::exchange(view.pid, -1), 30), 0);
}

INSTANTIATE_TEST_SUITE_P(Operators, KubeflowE2E,
                         testing::Values(&kube_e2e::kTf, &kube_e2e::kPyTorch),
                         [](const auto& tp) { return std::string(tp.param->name); });

}  // namespace
