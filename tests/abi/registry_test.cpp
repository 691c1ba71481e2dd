// Discovery over a directory holding good and bad plugins side by side.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fixture_path.hpp"
#include "plugin/registry.hpp"

using namespace tshost::plugin;
using testing::HasSubstr;

TEST(Registry, BadPluginsAreRefusedOneLineEachAndTheOthersStillLoad) {
    const Registry registry = Registry::load({TSHOST_FIXTURE_DIR});
    std::vector<std::string> loaded;
    for (const auto& p : registry.plugins()) {
        loaded.push_back(p.descriptor.name);
    }
    std::sort(loaded.begin(), loaded.end());
    EXPECT_EQ(loaded, (std::vector<std::string>{"cpp-platform", "create-fails", "duplicate",
                                                "memstore", "v1-0-preflight", "v1-0-sizes"}));

    std::vector<std::string> refused;
    for (const auto& r : registry.refusals()) {
        refused.push_back(std::filesystem::path(r.path).filename().string());
        EXPECT_EQ(r.message().find('\n'), std::string::npos);
    }
    std::sort(refused.begin(), refused.end());
    EXPECT_EQ(refused,
              (std::vector<std::string>{"fixture_bad_kind.so", "fixture_duplicate_b.so",
                                        "fixture_entry_declines.so", "fixture_future_minor.so",
                                        "fixture_no_entry.so", "fixture_null_required.so",
                                        "fixture_wrong_major.so"}));
}

TEST(Registry, DuplicateNameNamesTheFirstFile) {
    const Registry registry = Registry::load({TSHOST_FIXTURE_DIR});
    const auto it =
        std::find_if(registry.refusals().begin(), registry.refusals().end(),
                     [](const Refusal& r) { return r.path.ends_with("duplicate_b.so"); });
    ASSERT_NE(it, registry.refusals().end());
    EXPECT_THAT(it->message(), HasSubstr("duplicate name 'duplicate': already loaded from"));
    EXPECT_THAT(it->message(), HasSubstr("fixture_duplicate_a.so"));
}

TEST(Registry, EarlierDirectoriesWin) {
    const auto first = std::filesystem::path(testing::TempDir()) / "registry-first";
    std::filesystem::create_directories(first);
    std::filesystem::copy_file(fixture("memstore"), first / "memstore.so",
                               std::filesystem::copy_options::overwrite_existing);
    const Registry registry = Registry::load({first, TSHOST_FIXTURE_DIR});
    ASSERT_NE(registry.find("memstore"), nullptr);
    EXPECT_EQ(registry.find("memstore")->descriptor.path, (first / "memstore.so").string());
}

TEST(Registry, SearchOrderIsCliThenEnvironmentThenBuiltIn) {
    const auto dirs = plugin_directories({"/cli"}, "/env1::/env2", "/opt/tshost/bin/tshost");
    ASSERT_EQ(dirs.size(), 4U);
    EXPECT_EQ(dirs[0], "/cli");
    EXPECT_EQ(dirs[1], "/env1");
    EXPECT_EQ(dirs[2], "/env2");
    EXPECT_EQ(dirs[3].lexically_normal(), "/opt/tshost/lib/tshost/plugins");
}
