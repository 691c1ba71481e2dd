// Each platform with azureStorage against the local Azure Files endpoint (which checks every
// Shared Key signature): the storage Secret exists before the first job, the jobs mount it, it
// is deleted at the end, and the account key never appears in the host's output, its data
// directory (database, logs), the share or `tshost render`.
#include <gmock/gmock.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "kube_e2e_fixture.hpp"

namespace kube_e2e {
namespace {

/// Every file under `dir` whose bytes contain `needle`.
std::vector<std::string> files_containing(const fs::path& dir, const std::string& needle) {
    std::vector<std::string> out;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) {
            continue;
        }
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream bytes;
        bytes << in.rdbuf();
        if (bytes.str().find(needle) != std::string::npos) {
            out.push_back(entry.path().string());
        }
    }
    return out;
}

class AzureSecret : public KubeE2E, public testing::WithParamInterface<const Platform*> {
  protected:
    AzureSecret() : KubeE2E(*GetParam(), Storage::azure) {}
};

TEST_P(AzureSecret, TheStorageSecretLivesAsLongAsTheExperimentAndTheKeyStaysSecret) {
    Experiment e = experiment(2, "--wait-for /tmp/mount/go");
    const std::string cfg = config(e);
    const pid_t host = start(cfg, "run.log");
    json running;
    ASSERT_TRUE(wait_until([&] {
        running = emulator_->request("GET", jobs_path()).json_body();
        return running.value("items", json::array()).size() == 2;
    })) << running.dump();

    // Every role of both jobs mounts the share through one Secret.
    std::set<std::string> secret_names;
    for (const auto& job : running["items"]) {
        for (const json& pod : pod_specs(job)) {
            json volume;
            for (const auto& v : pod["volumes"]) {
                volume = v["name"] == "nni-vol" ? v : volume;
            }
            ASSERT_TRUE(volume.contains("azureFile")) << pod.dump();
            EXPECT_EQ(volume["azureFile"]["shareName"], "data");
            EXPECT_EQ(volume["azureFile"]["readOnly"], false);
            secret_names.insert(volume["azureFile"]["secretName"].get<std::string>());
            EXPECT_THAT(pod["containers"][0]["volumeMounts"].dump(),
                        testing::HasSubstr("/tmp/mount"));
        }
    }
    ASSERT_EQ(secret_names.size(), 1U);
    const std::string secret_name = *secret_names.begin();
    const auto secret = emulator_->request("GET", "/api/v1/namespaces/nni/secrets/" + secret_name);
    ASSERT_EQ(secret.code, 200) << secret.body;
    const json s = secret.json_body();
    const std::string key_in_secret = s["data"]["azurestorageaccountkey"];
    // Created before the first job: an unmodified Secret keeps the resourceVersion of its
    // creation, and the jobs' creations come later in the emulator's one sequence.
    const int64_t secret_rv = std::stoll(s["metadata"]["resourceVersion"].get<std::string>());
    const auto adds = emulator_->watch(
        jobs_path() + "?watch=1&resourceVersion=1",
        [](const std::vector<json>& events) {
            return std::count_if(events.begin(), events.end(),
                                 [](const json& ev) { return ev["type"] == "ADDED"; }) >= 2;
        },
        std::chrono::seconds(10));
    int64_t first_job_rv = -1;
    for (const auto& ev : adds) {
        if (ev["type"] == "ADDED") {
            first_job_rv =
                std::stoll(ev["object"]["metadata"]["resourceVersion"].get<std::string>());
            break;
        }
    }
    ASSERT_GT(first_job_rv, 0);
    EXPECT_LT(secret_rv, first_job_rv);

    // The pods see on the share what the host wrote through the Azure Files REST API.
    release_trials();
    ASSERT_EQ(wait_process(host, 240), 0);
    expect_done_with_every_metric(2);
    EXPECT_EQ(emulator_->request("GET", "/api/v1/namespaces/nni/secrets/" + secret_name).code, 404);
    expect_cluster_empty();

    // The key, as written and as it sits in the Secret, in none of what the host wrote.
    const TshostRun rendered = run_tshost({"render", cfg});
    ASSERT_EQ(rendered.exit_code, 0) << rendered.output;
    for (const std::string& secret_text : {key_, key_in_secret}) {
        EXPECT_EQ(rendered.output.find(secret_text), std::string::npos) << "render shows the key";
        EXPECT_THAT(files_containing(root_ / "data", secret_text), testing::IsEmpty());
        EXPECT_THAT(files_containing(root_, secret_text), testing::IsEmpty())
            << "the run's output (run.log) or another file holds the key";
        EXPECT_THAT(files_containing(share_, secret_text), testing::IsEmpty());
    }
}

INSTANTIATE_TEST_SUITE_P(Platforms, AzureSecret,
                         testing::Values(&kFrameworkController, &kTf, &kPyTorch),
                         [](const auto& tp) { return std::string(tp.param->name); });

}  // namespace
}  // namespace kube_e2e
