// FrameworkController with azureStorage against the local Azure Files endpoint (which checks
// every Shared Key signature): the storage Secret exists before the first Framework, the
// Frameworks mount it, it is deleted at the end, and the account key never appears in the
// host's output, its data directory (database, logs) or `tshost render`.
#include <gmock/gmock.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "emulator.hpp"
#include "fc_e2e_fixture.hpp"

namespace fc_e2e {
namespace {

std::string random_key() {
    static const char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::random_device rd;
    std::string key;
    for (int i = 0; i < 85; ++i) {
        key += kAlphabet[rd() % 64];
    }
    // The shape of a storage account key, base64 of 64 bytes: the last character before the
    // padding carries 2 bits of data and 4 zero bits.
    return key + "AQgw"[rd() % 4] + "==";
}

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

class FrameworkControllerAzure : public FrameworkControllerE2E {
  protected:
    void SetUp() override {
        key_ = random_key();
        ::setenv("FC_E2E_AZURE_KEY", key_.c_str(), 1);
        azure_ = std::make_unique<azure_test::Emulator>(
            azure_test::EmulatorOptions{"devaccount", key_, 5000});
        fs::create_directories(azure_->share_dir("data"));  // the user's existing share
        FrameworkControllerE2E::SetUp();
    }
    fs::path azure_root() const override { return azure_->share_dir("data").parent_path(); }

    std::string azure_config(const std::string& roles, int trials) {
        Experiment e{roles, trials};
        e.storage_yaml =
            "    storageType: azureStorage\n    azureAccount: devaccount\n"
            "    azureShare: data\n    accountKeyEnv: FC_E2E_AZURE_KEY\n    endpoint: " +
            azure_->endpoint() + "\n";
        return config(e);
    }

    std::string key_;
    std::unique_ptr<azure_test::Emulator> azure_;
};

TEST_F(FrameworkControllerAzure, TheStorageSecretLivesAsLongAsTheExperimentAndTheKeyStaysSecret) {
    const std::string cfg = azure_config(role("worker", 1, "--wait-for /tmp/mount/go"), 2);
    const pid_t host = start(cfg, "run.log");
    const std::string frameworks =
        "/apis/frameworkcontroller.microsoft.com/v1/namespaces/nni/frameworks";
    json running;
    ASSERT_TRUE(wait_until([&] {
        running = emulator_->request("GET", frameworks).json_body();
        return running.value("items", json::array()).size() == 2;
    })) << running.dump();

    // Both Frameworks mount the share through one Secret.
    std::string secret_name;
    for (const auto& fw : running["items"]) {
        const json& pod = fw["spec"]["taskRoles"][0]["task"]["pod"]["spec"];
        json volume;
        for (const auto& v : pod["volumes"]) {
            volume = v["name"] == "nni-vol" ? v : volume;
        }
        ASSERT_TRUE(volume.contains("azureFile")) << pod.dump();
        EXPECT_EQ(volume["azureFile"]["shareName"], "data");
        EXPECT_EQ(volume["azureFile"]["readOnly"], false);
        secret_name = volume["azureFile"]["secretName"];
        EXPECT_THAT(pod["containers"][0]["volumeMounts"].dump(), testing::HasSubstr("/tmp/mount"));
    }
    const auto secret = emulator_->request("GET", "/api/v1/namespaces/nni/secrets/" + secret_name);
    ASSERT_EQ(secret.code, 200) << secret.body;
    const json s = secret.json_body();
    const std::string key_in_secret = s["data"]["azurestorageaccountkey"];
    // Created before the first Framework: an unmodified Secret keeps the resourceVersion of its
    // creation, and the Frameworks' creations come later in the emulator's one sequence.
    const int64_t secret_rv = std::stoll(s["metadata"]["resourceVersion"].get<std::string>());
    const auto adds = emulator_->watch(
        frameworks + "?watch=1&resourceVersion=1",
        [](const std::vector<json>& events) {
            return std::count_if(events.begin(), events.end(),
                                 [](const json& e) { return e["type"] == "ADDED"; }) >= 2;
        },
        std::chrono::seconds(10));
    int64_t first_framework_rv = -1;
    for (const auto& e : adds) {
        if (e["type"] == "ADDED") {
            first_framework_rv =
                std::stoll(e["object"]["metadata"]["resourceVersion"].get<std::string>());
            break;
        }
    }
    ASSERT_GT(first_framework_rv, 0);
    EXPECT_LT(secret_rv, first_framework_rv);

    // The pods see on the share what the host wrote through the Azure Files REST API.
    release_trials_on(azure_->share_dir("data"));
    ASSERT_EQ(wait_process(host, 240), 0);
    auto d = db();
    EXPECT_EQ(d.meta("status"), "DONE");
    for (const auto& t : d.trials()) {
        EXPECT_EQ(t.status, "SUCCEEDED") << t.id << ": " << t.message;
        EXPECT_EQ(d.metrics(t.id).size(), 3U) << t.id;
    }
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
        EXPECT_THAT(files_containing(azure_->share_dir("data"), secret_text), testing::IsEmpty());
    }
}

}  // namespace
}  // namespace fc_e2e
