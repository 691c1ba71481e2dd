// `tshost validate` refuses what a submit would refuse, before anything runs and without a
// cluster or a storage service: the platform renders the first trial offline and checks it
// against the CRD schemas and its rules (podSpecPatch, FrameworkController templates).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tshost_process.hpp"

namespace fs = std::filesystem;
using testing::HasSubstr;

namespace {

std::string text_of(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// `text` with its first `from` replaced by `to`; fails the test when `from` is absent.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "no '" << from << "' in the shipped config";
    return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

class ValidateRules : public testing::Test {
  protected:
    void SetUp() override {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::path(testing::TempDir()) / ("validate-" + std::string(info->name()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        fs::copy_file(fs::path(CONFIG_DIR) / "search_space.json", dir_ / "search_space.json");
    }
    /// Writes `text` as a config beside the search space and validates it.
    TshostRun validate(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name) << text;
        return run_tshost({"validate", (dir_ / name).string()});
    }
    fs::path dir_;
};

TEST_F(ValidateRules, APodSpecPatchThatChangesTshostsContainerIsRefusedWithItsKeyPath) {
    const std::string shipped = text_of(fs::path(CONFIG_DIR) / "frameworkcontroller-nfs.v2.yml");
    ASSERT_EQ(validate("ok.yml", shipped).exit_code, 0);
    const TshostRun r = validate(
        "patched.yml",
        replaced(shipped, "      command: python3 mnist.py\n",
                 "      command: python3 mnist.py\n      podSpecPatch:\n        containers:\n"
                 "        - name: framework\n          image: other:1\n"));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("taskRoles[0].podSpecPatch")) << r.output;
    EXPECT_THAT(r.output, HasSubstr("the image of container framework")) << r.output;
    EXPECT_THAT(r.output, testing::Not(HasSubstr(": ok"))) << r.output;
}

TEST_F(ValidateRules, ATemplateWithTwoRolesOfOneNameIsRefusedWithItsKeyPath) {
    fs::copy_file(fs::path(CONFIG_DIR) / "frameworkcontroller-template.framework.yaml",
                  dir_ / "template.yaml");
    const std::string config = replaced(
        text_of(fs::path(CONFIG_DIR) / "frameworkcontroller-template-nfs.yml"),
        "configPath: frameworkcontroller-template.framework.yaml", "configPath: template.yaml");
    ASSERT_EQ(validate("ok.yml", config).exit_code, 0);
    const std::string two_ps =
        replaced(text_of(dir_ / "template.yaml"), "  - name: worker\n", "  - name: ps\n");
    std::ofstream(dir_ / "template.yaml") << two_ps;
    const TshostRun r = validate("duplicate.yml", config);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("spec.taskRoles[1].name")) << r.output;
    EXPECT_THAT(r.output, HasSubstr("role names must be unique")) << r.output;
}

TEST_F(ValidateRules, AnAzureConfigIsCheckedWithoutReachingKeyVaultOrTheShare) {
    // A stand-in `az` first on PATH notes any call: validate must make none, since offline it
    // needs no key (and the share's endpoint does not exist).
    fs::create_directories(dir_ / "bin");
    std::ofstream(dir_ / "bin" / "az")
        << "#!/bin/sh\ntouch \"" << (dir_ / "az-called").string() << "\"\nexit 1\n";
    fs::permissions(dir_ / "bin" / "az", fs::perms::owner_all);
    const std::string path = (dir_ / "bin").string() + ":" + ::getenv("PATH");
    ::setenv("PATH", path.c_str(), 1);
    const TshostRun r =
        validate("azure.yml", text_of(fs::path(CONFIG_DIR) / "kubeflow-pytorch-azure.v2.yml"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr(": ok (platform kubeflow-pytorch, storage azure-file)"));
    EXPECT_FALSE(fs::exists(dir_ / "az-called")) << "validate ran az";
}

}  // namespace
