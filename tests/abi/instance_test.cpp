// Instances created through the host: config validated first, errors and
// exceptions come back as statuses, host services reach the plugin.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fixture_path.hpp"
#include "plugin/instance.hpp"
#include "plugin/loader.hpp"

using namespace tshost::plugin;
using testing::HasSubstr;

namespace {

Plugin load(const std::string& name) {
    LoadResult result = load_plugin(fixture(name));
    if (!result.plugin) {
        throw std::runtime_error(result.refusal->message());
    }
    return *result.plugin;
}

template <class F>
PluginError plugin_error(F&& f) {
    try {
        f();
    } catch (const PluginError& e) {
        return e;
    }
    ADD_FAILURE() << "expected a PluginError";
    return PluginError(TSH_OK, "");
}

InstanceOptions options(EventQueue* events, const tsh_storage_access* storage = nullptr) {
    InstanceOptions o;
    o.events = events;
    o.storage = storage;
    return o;
}

TrialSpec trial(const std::string& id) {
    return TrialSpec{id, 7, R"({"parameter_id":7,"parameters":{"lr":0.1}})", R"({"attempt":0})"};
}

}  // namespace

TEST(Instance, CreateFailureCarriesStatusAndMessage) {
    const Plugin plugin = load("create_fails");
    const PluginError e = plugin_error([&] { PlatformInstance(plugin, "{}", {}); });
    EXPECT_EQ(e.status(), TSH_ERR_PERMISSION);
    EXPECT_STREQ(e.what(),
                 "plugin 'create-fails': create: credentials of context 'dev' are expired");
}

TEST(Instance, ConfigIsValidatedAgainstThePluginSchemaBeforeCreate) {
    const Plugin plugin = load("create_fails");
    try {
        PlatformInstance(plugin, R"({"replicas": 0})", {});
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        // create() would have failed with PERMISSION: getting here proves it never ran.
        ASSERT_EQ(e.problems().size(), 1U);
        EXPECT_EQ(e.problems()[0].key_path, "replicas");
        EXPECT_THAT(e.what(), HasSubstr("invalid config for plugin 'create-fails'"));
    }
}

TEST(Instance, ConfigMustBeAJsonObject) {
    const Plugin plugin = load("cpp_platform");
    EXPECT_THROW(PlatformInstance(plugin, "[1,2]", {}), ConfigError);
    EXPECT_THROW(PlatformInstance(plugin, "{not json", {}), ConfigError);
}

TEST(Instance, UnknownConfigKeyIsNamed) {
    const Plugin plugin = load("cpp_platform");
    try {
        PlatformInstance(plugin, R"({"replica": 2})", {});
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        ASSERT_FALSE(e.problems().empty());
        EXPECT_THAT(e.problems()[0].message, HasSubstr("replica"));
    }
}

TEST(Instance, ExceptionInConstructorBecomesInternalError) {
    const Plugin plugin = load("cpp_platform");
    const PluginError e =
        plugin_error([&] { PlatformInstance(plugin, R"({"failCreate":true})", {}); });
    EXPECT_EQ(e.status(), TSH_ERR_INTERNAL);
    EXPECT_THAT(e.what(), HasSubstr("asked to fail in the constructor"));
}

TEST(Instance, ExceptionsInCallsBecomeStatusesAndTheInstanceLivesOn) {
    const Plugin plugin = load("cpp_platform");
    EventQueue events;
    PlatformInstance platform(plugin, "{}", options(&events));

    const PluginError boom = plugin_error([&] { platform.submit(trial("boom")); });
    EXPECT_EQ(boom.status(), TSH_ERR_INTERNAL);
    EXPECT_THAT(boom.what(),
                HasSubstr("plugin 'cpp-platform': submit: unexpected exception: boom"));

    EXPECT_EQ(plugin_error([&] { platform.submit(trial("oom")); }).status(), TSH_ERR_NO_MEMORY);

    const PluginError missing = plugin_error([&] { platform.cancel("t9", TSH_CANCEL_USER); });
    EXPECT_EQ(missing.status(), TSH_ERR_NOT_FOUND);
    EXPECT_THAT(missing.what(), HasSubstr("no trial t9"));

    EXPECT_EQ(platform.submit(trial("t1")), R"({"jobName":"job-t1"})");
}

TEST(Instance, PlatformReachesConfiguredStorageAndEmitsEvents) {
    EventQueue events;
    StorageInstance storage(load("memstore"), "{}", {});
    PlatformInstance platform(load("cpp_platform"), "{}", options(&events, storage.access()));
    platform.submit(trial("t1"));

    EXPECT_EQ(storage.read_file("trials/t1/parameter.cfg"),
              R"({"parameter_id":7,"parameters":{"lr":0.1}})");
    const auto event = events.pop(std::chrono::milliseconds(0));
    ASSERT_TRUE(event);
    EXPECT_EQ(event->instance, "cpp-platform");
    EXPECT_EQ(event->type, TSH_EVENT_TRIAL_STATUS);
    EXPECT_EQ(event->trial_id, "t1");
    EXPECT_EQ(event->payload_json, R"({"status":"RUNNING"})");
    EXPECT_GT(event->time_ms, 0);
}

TEST(Instance, HostValidationServiceReportsKeyPaths) {
    PlatformInstance platform(load("cpp_platform"), "{}", {});
    TrialSpec t = trial("t2");
    t.spec_json = "{}";  // the plugin requires "attempt"
    const PluginError e = plugin_error([&] { platform.submit(t); });
    EXPECT_EQ(e.status(), TSH_ERR_INVALID_ARGUMENT);
    EXPECT_THAT(e.what(), HasSubstr("attempt"));
}

TEST(Instance, UnknownEventTypeIsRefusedAndNotQueued) {
    EventQueue events;
    PlatformInstance platform(load("cpp_platform"), "{}", options(&events));
    const PluginError e = plugin_error([&] { platform.start(); });
    EXPECT_EQ(e.status(), TSH_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(events.size(), 0U);
}

TEST(Instance, AbsentOptionalFunctionsAreNotCalled) {
    PlatformInstance platform(load("v1_0_sizes"), "{}", {});
    EXPECT_FALSE(platform.start());  // the slot holds an aborting pointer past struct_size
    EXPECT_FALSE(platform.end_experiment());
    EXPECT_FALSE(platform.has_render());
    EXPECT_EQ(platform.list_trials(), "[]");
}

TEST(Instance, StoragePathsAreCheckedBeforeThePluginSeesThem) {
    StorageInstance storage(load("memstore"), "{}", {});
    for (const char* bad : {"../etc/passwd", "/abs", "a//b", "a/./b", "", "dir/"}) {
        const PluginError e = plugin_error([&] { storage.write_file(bad, "x"); });
        EXPECT_EQ(e.status(), TSH_ERR_INVALID_ARGUMENT) << bad;
    }
    storage.write_file("a/b.txt", "hello");
    EXPECT_EQ(storage.read_file("a/b.txt", 1, 3), "ell");
    EXPECT_THAT(storage.list_dir("a"), HasSubstr(R"("name":"b.txt")"));
    storage.remove("a/b.txt");
    EXPECT_EQ(plugin_error([&] { storage.read_file("a/b.txt"); }).status(), TSH_ERR_NOT_FOUND);
}

TEST(Instance, A1_0PluginWithoutPreflightWithRunsItsPlainPreflightAndKeepsItsChecks) {
    PlatformInstance platform(load("v1_0_preflight"), "{}", {});
    ASSERT_TRUE(platform.has_preflight());
    const PreflightResult r = platform.preflight(R"({"probe":{"image":"i","url":"http://h"}})");
    EXPECT_FALSE(r.options_passed);
    EXPECT_EQ(r.status, TSH_ERR_GENERIC);
    EXPECT_EQ(r.message, "plugin 'v1-0-preflight': preflight: 1 of 2 checks failed");
    // The checks survive the failed status: they say what failed.
    EXPECT_THAT(r.checks_json, HasSubstr(R"("check":"quota","ok":false)"));
    EXPECT_THAT(r.checks_json, HasSubstr(R"("detail":"from a 1.0 plugin")"));
}

TEST(Instance, PreflightWithReachesA1_1PluginWithTheOptions) {
    PlatformInstance platform(load("cpp_platform"), "{}", {});
    const PreflightResult plain = platform.preflight("{}");
    EXPECT_TRUE(plain.options_passed);
    EXPECT_EQ(plain.status, TSH_OK) << plain.message;
    EXPECT_EQ(plain.checks_json, R"([{"check":"options","ok":true,"detail":"{}","fix":""}])");

    const PreflightResult probe = platform.preflight(R"({"probe":{"image":"busybox"}})");
    EXPECT_EQ(probe.status, TSH_ERR_GENERIC);
    EXPECT_THAT(probe.checks_json, HasSubstr(R"(\"image\":\"busybox\")"));
}

TEST(Instance, PreflightOfAPlatformWithoutOneIsUnsupported) {
    PlatformInstance platform(load("v1_0_sizes"), "{}", {});
    EXPECT_FALSE(platform.has_preflight());
    EXPECT_EQ(plugin_error([&] { platform.preflight("{}"); }).status(), TSH_ERR_UNSUPPORTED);
}
