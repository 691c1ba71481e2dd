// The plugins as the host loads them: their schemas compile in the host's loader, a bad section
// is refused with its key path, and `render` works offline (no cluster) through the real nfs
// plugin, checked by the host's validate_json against the embedded CRD, with secrets redacted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kf_test_support.hpp"
#include "load_plugin.hpp"
#include "plugin/instance.hpp"

namespace {

namespace fs = std::filesystem;
using kf_test::json;
using testing::HasSubstr;
using testing::Not;

class KubeflowRender : public testing::Test {
  protected:
    void SetUp() override {
        share_ = fs::path(testing::TempDir()) / "kf-render-share";
        fs::remove_all(share_);
        fs::create_directories(share_);
        storage_ = std::make_unique<tshost::plugin::StorageInstance>(
            tshost::test::load_plugin_or_throw(TSHOST_NFS_PLUGIN),
            json{{"server", "10.20.30.40"}, {"path", "/exports/nni"}, {"localMountPath", share_}}
                .dump(),
            tshost::plugin::InstanceOptions{});
    }

    std::unique_ptr<tshost::plugin::PlatformInstance> platform(const char* plugin,
                                                               const json& section) {
        tshost::plugin::InstanceOptions options;
        options.experiment_json = json{{"experimentId", "abc12xyz"}}.dump();
        options.storage = storage_->access();
        return std::make_unique<tshost::plugin::PlatformInstance>(
            tshost::test::load_plugin_or_throw(plugin), section.dump(), options);
    }

    json render(tshost::plugin::PlatformInstance& p) {
        return json::parse(p.render(tshost::plugin::TrialSpec{
            "xy3qa", 0, R"({"parameters": {"x": 1}})", kf_test::spec_json("abc12xyz", "xy3qa")}));
    }

    fs::path share_;
    std::unique_ptr<tshost::plugin::StorageInstance> storage_;
};

TEST_F(KubeflowRender, TfRendersTheRegistrySecretTheTfJobAndTheScriptsRedacted) {
    json section = kf_test::tf_section();
    const fs::path auth = share_ / "docker-config.json";
    std::ofstream(auth) << R"({"auths": {"registry.example": {"auth": "c2VjcmV0"}}})";
    section["worker"]["privateRegistryAuthPath"] = auth.string();
    auto p = platform(TSHOST_KF_TF_PLUGIN, section);
    const json out = render(*p);
    ASSERT_EQ(out["objects"].size(), 2U) << out.dump(2);
    EXPECT_EQ(out["objects"][0]["kind"], "Secret");
    EXPECT_EQ(out["objects"][0]["data"][".dockerconfigjson"], "<redacted>");
    EXPECT_EQ(out["objects"][1]["kind"], "TFJob");
    EXPECT_EQ(out["objects"][1]["metadata"]["name"], "nni-exp-abc12xyz-trial-xy3qa");
    EXPECT_THAT(out.dump(), Not(HasSubstr("s3cr3t-token")));
    EXPECT_THAT(out.dump(), Not(HasSubstr("c2VjcmV0")));
    EXPECT_TRUE(out["files"].contains("nni/abc12xyz/xy3qa/run_ps.sh"));
    EXPECT_TRUE(out["files"].contains("nni/abc12xyz/xy3qa/run_worker.sh"));
    EXPECT_FALSE(fs::exists(share_ / "nni")) << "render only shows";
}

TEST_F(KubeflowRender, PyTorchRendersThePyTorchJob) {
    auto p = platform(TSHOST_KF_PYTORCH_PLUGIN, kf_test::pytorch_section());
    const json out = render(*p);
    ASSERT_EQ(out["objects"].size(), 1U) << out.dump(2);
    EXPECT_EQ(out["objects"][0]["kind"], "PyTorchJob");
    EXPECT_TRUE(out["files"].contains("nni/abc12xyz/xy3qa/run_master.sh"));
}

TEST_F(KubeflowRender, TheHostRefusesTwoPyTorchMastersWithTheKeyPath) {
    json section = kf_test::pytorch_section();
    section["master"]["replicas"] = 2;
    try {
        platform(TSHOST_KF_PYTORCH_PLUGIN, section);
        ADD_FAILURE() << "created with master.replicas 2";
    } catch (const tshost::plugin::ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("master.replicas"));
    }
}

}  // namespace
