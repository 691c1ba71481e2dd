// The flags tshost check is tested with: --deny (SelfSubjectAccessReview answers),
// --without-resource (a CRD not served) and --strict-namespaces.
#include <gtest/gtest.h>

#include "emulator_fixture.hpp"

namespace {

using kemu::test::Emulator;
using kemu::test::json;

json review(const Emulator& emu, const std::string& verb, const std::string& group,
            const std::string& resource) {
    const json body = {
        {"apiVersion", "authorization.k8s.io/v1"},
        {"kind", "SelfSubjectAccessReview"},
        {"spec",
         {{"resourceAttributes",
           {{"verb", verb}, {"group", group}, {"resource", resource}, {"namespace", "nni"}}}}}};
    const auto r =
        emu.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body.dump());
    EXPECT_EQ(r.code, 201) << r.body;
    return r.json_body().value("status", json::object());
}

TEST(KubeEmulatorAccessFlags, DenyRulesAnswerReviewsAndEverythingElseIsAllowed) {
    Emulator emu(
        {"--deny", "create:frameworks.frameworkcontroller.microsoft.com", "--deny", "*:secrets"});
    const json denied = review(emu, "create", "frameworkcontroller.microsoft.com", "frameworks");
    EXPECT_EQ(denied["allowed"], false);
    EXPECT_EQ(denied["denied"], true);
    EXPECT_NE(denied.value("reason", "").find("create:frameworks"), std::string::npos);
    EXPECT_EQ(review(emu, "delete", "frameworkcontroller.microsoft.com", "frameworks")["allowed"],
              true);
    EXPECT_EQ(review(emu, "list", "", "secrets")["allowed"], false);
    EXPECT_EQ(review(emu, "list", "", "pods")["allowed"], true);
}

TEST(KubeEmulatorAccessFlags, AResourceNotServedIsAbsentFromDiscoveryAndItsPaths) {
    Emulator emu({"--without-resource", "frameworks"});
    EXPECT_EQ(emu.request("GET", "/apis/frameworkcontroller.microsoft.com/v1").code, 404);
    EXPECT_EQ(
        emu.request("GET", "/apis/frameworkcontroller.microsoft.com/v1/namespaces/a/frameworks")
            .code,
        404);
    const json groups = emu.request("GET", "/apis").json_body();
    for (const json& g : groups["groups"]) {
        EXPECT_NE(g["name"], "frameworkcontroller.microsoft.com");
    }
    EXPECT_EQ(emu.request("GET", "/apis/kubeflow.org/v1").code, 200);
}

TEST(KubeEmulatorAccessFlags, StrictNamespacesOnlyKnowThoseThatExist) {
    Emulator emu({"--strict-namespaces"});
    EXPECT_EQ(emu.request("GET", "/api/v1/namespaces/default").code, 200);
    EXPECT_EQ(emu.request("GET", "/api/v1/namespaces/nni").code, 404);
    const std::string secret = R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}})";
    EXPECT_EQ(emu.request("POST", "/api/v1/namespaces/nni/secrets", secret).code, 404);
    ASSERT_EQ(emu.request("POST", "/api/v1/namespaces",
                          R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"nni"}})")
                  .code,
              201);
    EXPECT_EQ(emu.request("GET", "/api/v1/namespaces/nni").code, 200);
    EXPECT_EQ(emu.request("POST", "/api/v1/namespaces/nni/secrets", secret).code, 201);
}

}  // namespace
