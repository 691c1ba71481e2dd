// The preflight's checks as built from API answers: wording, ok/FAIL, and the fix each failure
// carries; the probe pod's manifest and how its states are read.
#include <gtest/gtest.h>

#include "kube/preflight_checks.hpp"

namespace tshost::kube {
namespace {

using json = nlohmann::json;

const NeededAccess kFrameworks{
    "frameworkcontroller.microsoft.com", "v1", "frameworks", {"create", "delete"}};

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

ProbeRequest probe() {
    ProbeRequest p;
    p.image = "python:3-slim";
    p.url = "http://10.1.2.3:8081/tshost/v1/healthz";
    p.timeout = std::chrono::seconds(30);
    p.labels = {{"app", "nni-kubernetes-trial"}, {"expId", "abc"}};
    return p;
}

TEST(PreflightChecks, AnUndefinedContextSaysWhichSettingToChange) {
    const PreflightCheck c = kubeconfigFailed(
        KubeError(0, "InvalidConfig", "kubeconfig /k: context 'prod' is not defined"));
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.check, "kubeconfig");
    EXPECT_EQ(c.detail, "kubeconfig /k: context 'prod' is not defined");
    EXPECT_TRUE(has(c.fix, "trainingService.context")) << c.fix;
    EXPECT_TRUE(has(c.fix, "kubectl config get-contexts")) << c.fix;
}

TEST(PreflightChecks, NoKubeconfigAtAllPointsAtTheKubeconfigSetting) {
    const PreflightCheck c =
        kubeconfigFailed(KubeError(0, "InvalidConfig", "no kubeconfig found in /none"));
    EXPECT_TRUE(has(c.fix, "trainingService.kubeconfig")) << c.fix;
}

TEST(PreflightChecks, ServerThatRefusesTheCredentialsFailsAndOtherAnswersPass) {
    ResolvedConfig config;
    config.server = "https://k:6443";
    config.context_name = "dev";
    const KubeError unauthorized(401, "Unauthorized", "Unauthorized");
    const PreflightCheck refused = serverCheck(config, nullptr, &unauthorized);
    EXPECT_FALSE(refused.ok);
    EXPECT_TRUE(has(refused.detail, "context 'dev'")) << refused.detail;
    EXPECT_TRUE(has(refused.fix, "kubectl --context dev version")) << refused.fix;

    const KubeError down(0, "ConnectionFailed", "connection refused (server https://k:6443)");
    const PreflightCheck unreachable = serverCheck(config, nullptr, &down);
    EXPECT_FALSE(unreachable.ok);
    EXPECT_TRUE(has(unreachable.fix, "reachable")) << unreachable.fix;

    const json version = {{"gitVersion", "v1.32.0"}};
    const PreflightCheck up = serverCheck(config, &version, nullptr);
    EXPECT_TRUE(up.ok);
    EXPECT_EQ(up.detail, "https://k:6443 answers (Kubernetes v1.32.0)");
}

TEST(PreflightChecks, AMissingNamespaceFailsWithTheCommandThatCreatesIt) {
    const KubeError missing(404, "NotFound", "namespaces \"nni\" not found");
    const PreflightCheck c = namespaceCheck("nni", &missing);
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.detail, "namespace 'nni' does not exist");
    EXPECT_TRUE(has(c.fix, "kubectl create namespace nni")) << c.fix;
    EXPECT_TRUE(namespaceCheck("nni", nullptr).ok);
    // Forbidden to read namespaces is common for namespace-scoped users: not a failure.
    const KubeError forbidden(403, "Forbidden", "forbidden");
    EXPECT_TRUE(namespaceCheck("nni", &forbidden).ok);
}

TEST(PreflightChecks, ACrdThatIsNotServedNamesWhatToInstall) {
    const KubeError missing(404, "NotFound", "the server could not find the requested resource");
    const PreflightCheck c = crdCheck(kFrameworks, nullptr, &missing);
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.check, "CRD frameworks.frameworkcontroller.microsoft.com");
    EXPECT_TRUE(has(c.detail, "does not serve frameworkcontroller.microsoft.com/v1")) << c.detail;
    EXPECT_TRUE(has(c.fix, "install FrameworkController")) << c.fix;

    const json other = {{"resources", json::array({{{"name", "otherthings"}}})}};
    EXPECT_FALSE(crdCheck(kFrameworks, &other, nullptr).ok);
    const json served = {
        {"resources", json::array({{{"name", "frameworks"}, {"kind", "Framework"}}})}};
    const PreflightCheck ok = crdCheck(kFrameworks, &served, nullptr);
    EXPECT_TRUE(ok.ok);
    EXPECT_EQ(ok.detail, "served as frameworkcontroller.microsoft.com/v1 (kind Framework)");
}

TEST(PreflightChecks, TheAccessReviewAsksForTheVerbOnTheResourceInTheNamespace) {
    const json review = accessReview(kFrameworks, "create", "nni");
    EXPECT_EQ(review["kind"], "SelfSubjectAccessReview");
    EXPECT_EQ(review["apiVersion"], "authorization.k8s.io/v1");
    const json attributes = review["spec"]["resourceAttributes"];
    EXPECT_EQ(attributes["verb"], "create");
    EXPECT_EQ(attributes["group"], "frameworkcontroller.microsoft.com");
    EXPECT_EQ(attributes["resource"], "frameworks");
    EXPECT_EQ(attributes["namespace"], "nni");
}

TEST(PreflightChecks, ADeniedVerbFailsNamingVerbAndResourceWithAGrantAsTheFix) {
    const std::vector<VerbReview> reviews = {
        {"create", json{{"allowed", false}, {"reason", "no RBAC rule"}}, std::nullopt},
        {"delete", json{{"allowed", true}}, std::nullopt}};
    const PreflightCheck c = accessCheck(kFrameworks, "nni", "dev", reviews);
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.check, "access frameworks.frameworkcontroller.microsoft.com");
    EXPECT_EQ(c.detail,
              "denied: create (no RBAC rule) on frameworks.frameworkcontroller.microsoft.com in "
              "namespace 'nni'");
    EXPECT_TRUE(has(c.fix, "--verb=create --resource=frameworks.frameworkcontroller.microsoft.com"))
        << c.fix;
    EXPECT_TRUE(has(c.fix,
                    "kubectl auth can-i create frameworks.frameworkcontroller.microsoft.com "
                    "-n nni --context dev"))
        << c.fix;

    const std::vector<VerbReview> allowed = {{"create", json{{"allowed", true}}, std::nullopt},
                                             {"delete", json{{"allowed", true}}, std::nullopt}};
    const PreflightCheck ok = accessCheck(kFrameworks, "nni", "dev", allowed);
    EXPECT_TRUE(ok.ok);
    EXPECT_EQ(ok.detail,
              "may create, delete on frameworks.frameworkcontroller.microsoft.com in namespace "
              "'nni'");

    const std::vector<VerbReview> unknown = {{"create", std::nullopt, "403 Forbidden"}};
    EXPECT_FALSE(accessCheck(kFrameworks, "nni", "", unknown).ok);
}

TEST(PreflightChecks, TheProbePodRunsOnceWithTheExperimentsLabelsAndFetchesTheUrl) {
    const json pod = probePod(probe(), "tshost-probe-1", "nni");
    EXPECT_EQ(pod["metadata"]["namespace"], "nni");
    EXPECT_EQ(pod["metadata"]["labels"]["expId"], "abc");
    EXPECT_EQ(pod["metadata"]["labels"]["app"], "nni-kubernetes-trial");
    EXPECT_EQ(pod["spec"]["restartPolicy"], "Never");
    const json container = pod["spec"]["containers"][0];
    EXPECT_EQ(container["image"], "python:3-slim");
    EXPECT_EQ(container["command"],
              json::array({"sh", "-c", kProbeScript, "tshost-probe", probe().url}));
}

TEST(PreflightChecks, ProbePodStatesMapToOutcomes) {
    const ProbeRequest p = probe();
    EXPECT_FALSE(probeOutcome(p, json{{"status", {{"phase", "Pending"}}}}));
    EXPECT_FALSE(probeOutcome(p, json{{"status", {{"phase", "Running"}}}}));

    const auto ok = probeOutcome(p, json{{"status", {{"phase", "Succeeded"}}}});
    ASSERT_TRUE(ok);
    EXPECT_TRUE(ok->ok);

    const json refused = {
        {"status",
         {{"phase", "Failed"},
          {"containerStatuses",
           json::array({{{"state", {{"terminated", {{"exitCode", 1}, {"reason", "Error"}}}}}}})}}}};
    const auto failed = probeOutcome(p, refused);
    ASSERT_TRUE(failed);
    EXPECT_FALSE(failed->ok);
    EXPECT_TRUE(has(failed->detail, "exit code 1, Error")) << failed->detail;
    EXPECT_TRUE(has(failed->fix, "nniManagerIp")) << failed->fix;
    EXPECT_TRUE(has(failed->fix, "TCP port 8081")) << failed->fix;

    json no_tools = refused;
    no_tools["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] = 127;
    EXPECT_TRUE(has(probeOutcome(p, no_tools)->fix, "python3")) << probeOutcome(p, no_tools)->fix;

    const json pull = {
        {"status",
         {{"phase", "Pending"},
          {"containerStatuses", json::array({{{"state",
                                               {{"waiting",
                                                 {{"reason", "ImagePullBackOff"},
                                                  {"message", "no such image"}}}}}}})}}}};
    const auto pulled = probeOutcome(p, pull);
    ASSERT_TRUE(pulled);
    EXPECT_FALSE(pulled->ok);
    EXPECT_TRUE(has(pulled->detail, "ImagePullBackOff: no such image")) << pulled->detail;

    const json unschedulable = {
        {"status",
         {{"phase", "Pending"},
          {"conditions", json::array({{{"type", "PodScheduled"},
                                       {"status", "False"},
                                       {"reason", "Unschedulable"},
                                       {"message", "0/3 nodes are available"}}})}}}};
    const auto stuck = probeOutcome(p, unschedulable);
    ASSERT_TRUE(stuck);
    EXPECT_TRUE(has(stuck->detail, "0/3 nodes are available")) << stuck->detail;

    const PreflightCheck late = probeTimedOut(p, json{{"status", {{"phase", "Pending"}}}});
    EXPECT_FALSE(late.ok);
    EXPECT_TRUE(has(late.detail, "within 30 s (phase Pending)")) << late.detail;
}

TEST(PreflightChecks, TheProbeLogIsAddedOnOneLine) {
    PreflightCheck c{"probe", false, "exit code 1", "fix"};
    addProbeLog(c, "tshost probe: cannot fetch\nrefused\n");
    EXPECT_EQ(c.detail, "exit code 1; its log: tshost probe: cannot fetch refused");
}

TEST(PreflightChecks, ProbeOptionsFromTheHost) {
    EXPECT_FALSE(probeFromOptions("{}", {}));
    EXPECT_FALSE(probeFromOptions("", {}));
    const auto p = probeFromOptions(
        R"({"probe":{"image":"busybox","url":"http://h:1/x","timeoutSeconds":7},"future":1})",
        {{"expId", "e"}});
    ASSERT_TRUE(p);
    EXPECT_EQ(p->image, "busybox");
    EXPECT_EQ(p->url, "http://h:1/x");
    EXPECT_EQ(p->timeout, std::chrono::seconds(7));
    EXPECT_EQ(p->labels.size(), 1U);
    EXPECT_THROW(probeFromOptions(R"({"probe":{"image":"busybox"}})", {}), std::invalid_argument);
    EXPECT_THROW(probeFromOptions("not json", {}), std::invalid_argument);
}

TEST(PreflightChecks, TheArrayIsTheAbisShape) {
    const std::vector<PreflightCheck> checks = {{"a", true, "d", ""}, {"b", false, "e", "f"}};
    EXPECT_EQ(preflightJson(checks), json::parse(R"([{"check":"a","ok":true,"detail":"d","fix":""},
                              {"check":"b","ok":false,"detail":"e","fix":"f"}])"));
    EXPECT_FALSE(allPassed(checks));
    EXPECT_TRUE(allPassed({checks[0]}));
}

}  // namespace
}  // namespace tshost::kube
