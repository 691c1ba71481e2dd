// Each fixture plugin is loaded by the real loader (Boost.DLL + ABI checks).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fixture_path.hpp"
#include "plugin/loader.hpp"

using namespace tshost::plugin;
using testing::HasSubstr;

namespace {

Refusal refused(const std::string& name) {
    LoadResult result = load_plugin(fixture(name));
    EXPECT_FALSE(result.plugin) << name << " should have been refused";
    return result.refusal.value_or(Refusal{});
}

}  // namespace

TEST(Loader, PluginBuiltWithV1_0SizesLoadsAndMissingTrailingFieldsAreAbsent) {
    LoadResult result = load_plugin(fixture("v1_0_sizes"));
    ASSERT_TRUE(result.plugin) << result.refusal->message();
    const Descriptor& d = result.plugin->descriptor;
    EXPECT_EQ(d.name, "v1-0-sizes");
    EXPECT_EQ(d.platform.struct_size, offsetof(tsh_platform_vtable, start));
    EXPECT_NE(d.platform.submit, nullptr);
    // The fixture's memory after struct_size holds aborting pointers: reading
    // them as absent is the only correct outcome.
    EXPECT_EQ(d.platform.start, nullptr);
    EXPECT_EQ(d.platform.end_experiment, nullptr);
    EXPECT_EQ(d.platform.update, nullptr);
    EXPECT_EQ(d.platform.query, nullptr);
    EXPECT_EQ(d.platform.render, nullptr);
    EXPECT_EQ(d.platform.preflight, nullptr);
}

TEST(Loader, PluginNeedingAFutureMinorIsRefused) {
    const Refusal r = refused("future_minor");
    ASSERT_EQ(r.problems.size(), 1U);
    // The fixture asks for one minor more than this host has.
    const std::string host = "1." + std::to_string(TSH_ABI_MINOR);
    const std::string needed = "1." + std::to_string(TSH_ABI_MINOR + 1);
    EXPECT_THAT(r.problems[0], HasSubstr("needs a newer host (ABI " + needed +
                                         " or later; this host has " + host + ")"));
}

TEST(Loader, WrongMajorIsRefused) {
    const Refusal r = refused("wrong_major");
    ASSERT_EQ(r.problems.size(), 1U);
    EXPECT_THAT(r.problems[0], HasSubstr("built for ABI major 2, this host speaks 1"));
}

TEST(Loader, LibraryWithoutEntrySymbolIsNotAPlugin) {
    const Refusal r = refused("no_entry");
    ASSERT_EQ(r.problems.size(), 1U);
    EXPECT_THAT(r.problems[0],
                HasSubstr("not a tshost plugin: it does not export tsh_plugin_entry_v1"));
}

TEST(Loader, EveryProblemIsReportedInOneMessage) {
    const Refusal r = refused("null_required");
    const std::string message = r.message();
    EXPECT_THAT(message, HasSubstr("fixture_null_required.so"));
    EXPECT_THAT(message, HasSubstr("it states no version"));
    EXPECT_THAT(message,
                HasSubstr("required functions are missing: platform.cancel, platform.adopt"));
    EXPECT_EQ(message.find('\n'), std::string::npos) << "the refusal must be one line";
}

TEST(Loader, UnknownKindIsRefused) {
    const Refusal r = refused("bad_kind");
    EXPECT_THAT(r.message(), HasSubstr("kind 0 is unknown"));
}

TEST(Loader, EntryPointThatDeclinesGivesItsReason) {
    const Refusal r = refused("entry_declines");
    EXPECT_THAT(r.message(), HasSubstr("declined to load: needs a GPU driver this machine lacks"));
}

TEST(Loader, FileThatIsNotALibraryIsRefused) {
    const auto path = std::filesystem::path(testing::TempDir()) / "garbage.so";
    {
        std::FILE* f = std::fopen(path.c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fputs("this is not an ELF file", f);
        std::fclose(f);
    }
    LoadResult result = load_plugin(path);
    ASSERT_FALSE(result.plugin);
    EXPECT_THAT(result.refusal->message(), HasSubstr("cannot load it"));
}

TEST(Loader, CppPluginDescribesItself) {
    LoadResult result = load_plugin(fixture("cpp_platform"));
    ASSERT_TRUE(result.plugin) << result.refusal->message();
    const Descriptor& d = result.plugin->descriptor;
    EXPECT_EQ(d.name, "cpp-platform");
    EXPECT_EQ(d.version, "2.3.4");
    EXPECT_EQ(d.kind, Kind::platform);
    EXPECT_EQ(d.abi_major, TSH_ABI_MAJOR);
    EXPECT_NE(d.platform.start, nullptr) << "the helper fills optional slots it detects";
    EXPECT_EQ(d.platform.render, nullptr) << "and leaves the others NULL";
    EXPECT_NE(d.platform.preflight_with, nullptr) << "preflight(options) fills the 1.1 slot";
    EXPECT_NE(d.platform.preflight, nullptr) << "and the 1.0 one, for older hosts";
    EXPECT_NE(result.plugin->config_schema, nullptr);
}

TEST(Loader, A1_0PluginLoadsWithoutTheSlotsAddedSince) {
    LoadResult result = load_plugin(fixture("v1_0_preflight"));
    ASSERT_TRUE(result.plugin) << result.refusal->message();
    const Descriptor& d = result.plugin->descriptor;
    EXPECT_EQ(d.abi_minor, 0);
    EXPECT_EQ(d.platform.struct_size, offsetof(tsh_platform_vtable, preflight_with));
    EXPECT_NE(d.platform.preflight, nullptr);
    EXPECT_EQ(d.platform.preflight_with, nullptr);
}
