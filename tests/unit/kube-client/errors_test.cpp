#include <gtest/gtest.h>

#include "kube/status_error.hpp"

namespace tk = tshost::kube;

namespace {

tk::RequestContext ctx(std::string verb, std::string group, std::string resource,
                       std::string name) {
    return tk::RequestContext{std::move(verb), std::move(resource), std::move(group),
                              "default",       std::move(name),     "prod-admin"};
}

}  // namespace

TEST(StatusError, BareNotFoundOnACustomResourceSaysWhichOperatorToInstall) {
    tk::Redactor r;
    auto e = tk::statusError(ctx("create", "frameworkcontroller.microsoft.com",
                                 "frameworks.frameworkcontroller.microsoft.com", "nniexpabctrialx"),
                             404, "404 page not found\n", r);
    EXPECT_EQ(e.code(), 404);
    EXPECT_EQ(e.reason(), "NotFound");
    EXPECT_FALSE(e.retryable());
    std::string m = e.what();
    EXPECT_NE(m.find("create frameworks.frameworkcontroller.microsoft.com nniexpabctrialx"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("404 NotFound"), std::string::npos) << m;
    EXPECT_NE(m.find("is FrameworkController installed?"), std::string::npos) << m;

    auto tf = tk::statusError(ctx("list", "kubeflow.org", "tfjobs.kubeflow.org", ""), 404, "", r);
    EXPECT_NE(std::string(tf.what()).find("Kubeflow training-operator"), std::string::npos);
    auto other = tk::statusError(ctx("list", "example.com", "widgets.example.com", ""), 404, "", r);
    EXPECT_NE(std::string(other.what()).find("CRD widgets.example.com"), std::string::npos);
}

TEST(StatusError, ObjectNotFoundStatusHasNoInstallHint) {
    tk::Redactor r;
    auto e = tk::statusError(
        ctx("get", "kubeflow.org", "tfjobs.kubeflow.org", "j1"), 404,
        R"({"kind":"Status","status":"Failure","message":"tfjobs.kubeflow.org \"j1\" not found",
            "reason":"NotFound","details":{"name":"j1","group":"kubeflow.org","kind":"tfjobs"},"code":404})",
        r);
    std::string m = e.what();
    EXPECT_NE(m.find("404 NotFound: tfjobs.kubeflow.org \"j1\" not found"), std::string::npos) << m;
    EXPECT_EQ(m.find("installed"), std::string::npos) << m;
}

TEST(StatusError, InvalidListsCauses) {
    tk::Redactor r;
    auto e = tk::statusError(
        ctx("create", "kubeflow.org", "tfjobs.kubeflow.org", "j1"), 422,
        R"({"kind":"Status","reason":"Invalid","message":"TFJob j1 is invalid","code":422,
            "details":{"causes":[
              {"reason":"FieldValueInvalid","message":"Invalid value: -1: must be >= 0",
               "field":"spec.tfReplicaSpecs.Worker.replicas"},
              {"reason":"FieldValueRequired","message":"Required value","field":"spec.x"}]}})",
        r);
    EXPECT_EQ(e.reason(), "Invalid");
    EXPECT_NE(std::string(e.what()).find(
                  "422 Invalid: spec.tfReplicaSpecs.Worker.replicas: Invalid value: -1: must be "
                  ">= 0; spec.x: Required value"),
              std::string::npos)
        << e.what();
}

TEST(StatusError, ForbiddenNamesTheContextAndVerb) {
    tk::Redactor r;
    auto e = tk::statusError(
        ctx("create", "kubeflow.org", "tfjobs.kubeflow.org", "j1"), 403,
        R"({"kind":"Status","reason":"Forbidden","message":"user cannot create","code":403})", r);
    EXPECT_NE(std::string(e.what()).find(
                  "403 Forbidden: user cannot create — the credentials of context prod-admin may "
                  "not create tfjobs.kubeflow.org in namespace default"),
              std::string::npos)
        << e.what();
}

TEST(StatusError, RetryableClassification) {
    tk::Redactor r;
    auto c = ctx("get", "", "pods", "p");
    EXPECT_TRUE(tk::statusError(c, 429, "", r).retryable());
    EXPECT_TRUE(tk::statusError(c, 503, "", r).retryable());
    EXPECT_TRUE(tk::statusError(c, 500, "", r).retryable());
    EXPECT_FALSE(tk::statusError(c, 501, "", r).retryable());
    EXPECT_FALSE(tk::statusError(c, 409, "", r).retryable());
    EXPECT_TRUE(tk::requestError(c, "ConnectionFailed", "refused", r).retryable());
    EXPECT_FALSE(tk::requestError(c, "TLSError", "bad ca", r).retryable());
    EXPECT_FALSE(tk::requestError(c, "Cancelled", "", r).retryable());
}

TEST(StatusError, ServerEchoedSecretsAreRedacted) {
    tk::Redactor r;
    r.add("dockerconfig-secret-bytes");
    auto e = tk::statusError(ctx("create", "", "secrets", "s"), 422,
                             R"({"kind":"Status","reason":"Invalid","message":"bad value )"
                             R"(dockerconfig-secret-bytes, Authorization: Bearer abc.def"})",
                             r);
    std::string m = e.what();
    EXPECT_EQ(m.find("dockerconfig-secret-bytes"), std::string::npos) << m;
    EXPECT_EQ(m.find("abc.def"), std::string::npos) << m;
}
