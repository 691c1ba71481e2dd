// The plugin as the host loads it: its schema compiles in the host's loader, and `render` works
// offline (no cluster, no start()) through the real nfs plugin, validated by the host's
// validate_json, with the metrics token redacted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fc_test_support.hpp"
#include "plugin/instance.hpp"
#include "plugin/loader.hpp"

namespace {

namespace fs = std::filesystem;
using fc_test::json;
using testing::HasSubstr;
using testing::Not;

tshost::plugin::Plugin load(const char* path) {
    auto loaded = tshost::plugin::load_plugin(path);
    if (!loaded.plugin) {
        throw std::runtime_error(loaded.refusal->message());
    }
    return *loaded.plugin;
}

class RenderTest : public testing::Test {
  protected:
    void SetUp() override {
        share_ = fs::path(testing::TempDir()) / "fc-render-share";
        fs::create_directories(share_);
        storage_ = std::make_unique<tshost::plugin::StorageInstance>(
            load(TSHOST_NFS_PLUGIN),
            json{{"server", "10.20.30.40"}, {"path", "/exports/nni"}, {"localMountPath", share_}}
                .dump(),
            tshost::plugin::InstanceOptions{});
    }

    std::unique_ptr<tshost::plugin::PlatformInstance> platform(const json& section) {
        tshost::plugin::InstanceOptions options;
        options.experiment_json = json{{"experimentId", "abc12xyz"}}.dump();
        options.storage = storage_->access();
        return std::make_unique<tshost::plugin::PlatformInstance>(load(TSHOST_FC_PLUGIN),
                                                                  section.dump(), options);
    }

    fs::path share_;
    std::unique_ptr<tshost::plugin::StorageInstance> storage_;
};

TEST_F(RenderTest, RendersEveryObjectOfATrialOfflineWithSecretsRedacted) {
    json section = fc_test::two_role_section();
    const fs::path auth = share_ / "docker-config.json";
    std::ofstream(auth) << R"({"auths": {"registry.example": {"auth": "c2VjcmV0"}}})";
    section["taskRoles"][1]["privateRegistryAuthPath"] = auth.string();
    auto p = platform(section);
    const json out = json::parse(p->render(tshost::plugin::TrialSpec{
        "xy3qa", 0, R"({"parameters": {"x": 1}})", fc_test::spec_json("abc12xyz", "xy3qa")}));

    ASSERT_EQ(out["objects"].size(), 2U);  // the registry Secret, then the Framework
    EXPECT_EQ(out["objects"][0]["kind"], "Secret");
    EXPECT_EQ(out["objects"][0]["data"][".dockerconfigjson"], "<redacted>");
    const json& fw = out["objects"][1];
    EXPECT_EQ(fw["kind"], "Framework");
    EXPECT_EQ(fw["metadata"]["name"], "nniexpabc12xyztrialxy3qa");
    EXPECT_EQ(fw["metadata"]["namespace"], "nni");
    EXPECT_EQ(fc_test::framework_problems(fw), "");
    EXPECT_THAT(out.dump(), Not(HasSubstr("s3cr3t-token")));
    EXPECT_THAT(out.dump(), Not(HasSubstr("c2VjcmV0")));
    EXPECT_TRUE(out["files"].contains("nni/abc12xyz/xy3qa/run_ps.sh"));
    EXPECT_TRUE(out["files"].contains("nni/abc12xyz/xy3qa/run_worker.sh"));
    // Nothing was written: render only shows.
    EXPECT_FALSE(fs::exists(share_ / "nni"));
}

// Template mode through the loaded plugin: the completed Framework, validated by the host's
// validate_json, the token redacted, the template's own secret reference kept as a reference.
TEST_F(RenderTest, RendersATemplateModeFrameworkWithTheTokenRedacted) {
    json section = {{"namespace", "nni"},
                    {"configPath", "/configs/fw.yaml"},
                    {"frameworkTemplate", json::parse(R"({
      "metadata": {"labels": {"team": "vision"}},
      "spec": {"taskRoles": [{"name": "trainer", "task": {"pod": {"spec": {
        "containers": [{"name": "main", "image": "img", "command": ["python3", "t.py"],
                        "env": [{"name": "API_TOKEN",
                                 "valueFrom": {"secretKeyRef": {"name": "api", "key": "token"}}}]}]
      }}}}]}})")}};
    auto p = platform(section);
    const json out = json::parse(p->render(tshost::plugin::TrialSpec{
        "xy3qa", 0, R"({"parameters": {"x": 1}})", fc_test::spec_json("abc12xyz", "xy3qa")}));
    ASSERT_EQ(out["objects"].size(), 1U);
    const json& fw = out["objects"][0];
    EXPECT_EQ(fw["metadata"]["name"], "nniexpabc12xyztrialxy3qa");
    EXPECT_EQ(fw["metadata"]["labels"]["team"], "vision");
    const json& env = fw["spec"]["taskRoles"][0]["task"]["pod"]["spec"]["containers"][0]["env"];
    EXPECT_THAT(env.dump(), HasSubstr(R"("secretKeyRef":{"key":"token","name":"api"})"));
    EXPECT_THAT(env.dump(), HasSubstr(R"({"name":"TSHOST_METRICS_TOKEN","value":"<redacted>"})"));
    EXPECT_THAT(out.dump(), Not(HasSubstr("s3cr3t-token")));
    EXPECT_THAT(out["files"]["nni/abc12xyz/xy3qa/run_trainer.sh"].get<std::string>(),
                HasSubstr("python3 t.py"));
}

TEST_F(RenderTest, TheHostRefusesABadSectionWithItsKeyPath) {
    json section = fc_test::one_role_section();
    section["taskRoles"][0]["name"] = "Worker";
    try {
        platform(section);
        ADD_FAILURE() << "created with role name 'Worker'";
    } catch (const tshost::plugin::ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("taskRoles[0].name"));
    }
}

}  // namespace
