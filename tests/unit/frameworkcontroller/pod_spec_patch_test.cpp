// podSpecPatch: a JSON merge patch (RFC 7386) of the pod spec whose named lists merge by name;
// what tshost generated (containers, image, command, volumes, mounts) cannot be patched away.
#include <tshost/kubeplatform/pod_spec_patch.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fc_test_support.hpp"

namespace {

using fc_test::json;
using testing::HasSubstr;
using tshost::kubeplatform::patched_pod_spec;

const json kSpec = json::parse(R"({
  "restartPolicy": "Never",
  "hostNetwork": false,
  "containers": [{"name": "framework", "image": "img:1", "command": ["sh", "/tmp/mount/run.sh"],
                  "env": [{"name": "A", "value": "1"}],
                  "volumeMounts": [{"name": "nni-vol", "mountPath": "/tmp/mount"}]}],
  "volumes": [{"name": "nni-vol", "nfs": {"server": "10.0.0.1", "path": "/x"}}]})");

std::string refusal(const json& patch) {
    try {
        patched_pod_spec(kSpec, patch, "taskRoles[0].podSpecPatch");
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

TEST(PodSpecPatch, FollowsRfc7386ForObjectsAndScalars) {
    const json out = patched_pod_spec(
        kSpec, {{"hostNetwork", nullptr}, {"nodeSelector", {{"gpu", "a100"}}}, {"priority", 5}},
        "p");
    EXPECT_FALSE(out.contains("hostNetwork"));  // null removes
    EXPECT_EQ(out["nodeSelector"]["gpu"], "a100");
    EXPECT_EQ(out["priority"], 5);
    EXPECT_EQ(out["containers"], kSpec["containers"]);
    EXPECT_EQ(patched_pod_spec(kSpec, nullptr, "p"), kSpec);  // no patch
}

TEST(PodSpecPatch, NamedListsMergeByNameAndKeepTshostsItems) {
    const json out = patched_pod_spec(kSpec, json::parse(R"({"containers": [{"name": "framework",
                                        "env": [{"name": "A", "value": "2"}, {"name": "B", "value": "3"}],
                                        "volumeMounts": [{"name": "dshm", "mountPath": "/dev/shm"}]}],
                        "volumes": [{"name": "dshm", "emptyDir": {"medium": "Memory"}}]})"),
                                      "p");
    ASSERT_EQ(out["containers"].size(), 1U);
    const json& c = out["containers"][0];
    EXPECT_EQ(c["command"], kSpec["containers"][0]["command"]);
    EXPECT_EQ(c["env"],
              json::parse(R"([{"name": "A", "value": "2"}, {"name": "B", "value": "3"}])"));
    EXPECT_EQ(c["volumeMounts"].size(), 2U);
    EXPECT_EQ(out["volumes"].size(), 2U);
    EXPECT_EQ(out["volumes"][0], kSpec["volumes"][0]);
}

TEST(PodSpecPatch, RefusesToRemoveOrChangeTshostsParts) {
    EXPECT_THAT(refusal({{"volumes", nullptr}}),
                HasSubstr("taskRoles[0].podSpecPatch: volume nni-vol is tshost's own"));
    EXPECT_THAT(refusal(json::parse(R"({"containers": [{"name": "framework", "command": null}]})")),
                HasSubstr("the command of container framework"));
    EXPECT_THAT(refusal(json::parse(R"({"containers": [{"name": "framework", "image": "x:2"}]})")),
                HasSubstr("the image of container framework"));
    EXPECT_THAT(refusal({{"containers", nullptr}}), HasSubstr("containers framework"));
    EXPECT_THAT(
        refusal(json::parse(
            R"({"containers": [{"name": "framework", "volumeMounts": [{"name": "other", "mountPath": "/tmp/mount"}]}]})")),
        HasSubstr("the volume mount /tmp/mount of container framework"));
    EXPECT_THAT(refusal(json::parse(R"({"volumes": [{"name": "nni-vol", "emptyDir": {}}]})")),
                HasSubstr("volume nni-vol"));
    EXPECT_THAT(refusal(json::array()), HasSubstr("is an object"));
    EXPECT_EQ(refusal(json::parse(R"({"tolerations": [{"key": "a"}]})")), "");  // fine
}

TEST(PodSpecPatch, TheMergedFrameworkMustStillPassFrameworkControllersRules) {
    json section = fc_test::one_role_section();
    section["taskRoles"][0]["podSpecPatch"] = {{"restartPolicy", "Sometimes"}};
    const json fw = fc_platform::build_framework(
        fc_test::settings_of(section), fc_test::trial_input("abc12xyz", "xy3qa"),
        fc_platform::parse_pod_volume(fc_test::nfs_pod_volume()));
    EXPECT_THAT(fc_test::framework_problems(fw), HasSubstr("restartPolicy"));
    section["taskRoles"][0]["podSpecPatch"] = "nodeSelector: {a: b}";  // YAML in a string
    EXPECT_THAT(fc_test::config_problems(section), HasSubstr("podSpecPatch"));
}

}  // namespace
