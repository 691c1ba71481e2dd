// .nniignore matching (gitignore syntax, as NNI applies it) and the code walk.
#include <gtest/gtest.h>

#include "nfs_fixture.hpp"
#include "storage/code_manifest.hpp"
#include "storage/code_tree.hpp"
#include "storage/nniignore.hpp"

using tshost::storage::IgnoreRules;

TEST(NniIgnore, GitignoreSyntax) {
    IgnoreRules r;
    r.add("# comment\n\n*.pyc\n/build\ndata/\nlogs/**\n!keep.pyc\ndocs/*.md\n\\#hash\n**/tmp/x\n");
    EXPECT_TRUE(r.ignored("a.pyc", false));
    EXPECT_TRUE(r.ignored("src/deep/a.pyc", false));  // no slash: any depth
    EXPECT_FALSE(r.ignored("keep.pyc", false));       // re-included
    EXPECT_TRUE(r.ignored("build", true));            // anchored
    EXPECT_FALSE(r.ignored("src/build", true));
    EXPECT_TRUE(r.ignored("data", true));
    EXPECT_TRUE(r.ignored("sub/data", true));
    EXPECT_FALSE(r.ignored("data", false));  // "data/" matches folders only
    EXPECT_TRUE(r.ignored("logs/a/b.txt", false));
    EXPECT_TRUE(r.ignored("docs/a.md", false));
    EXPECT_FALSE(r.ignored("docs/sub/a.md", false));  // '*' does not cross '/'
    EXPECT_TRUE(r.ignored("#hash", false));
    EXPECT_TRUE(r.ignored("a/b/tmp/x", false));
    EXPECT_TRUE(r.ignored("tmp/x", false));
    EXPECT_FALSE(r.ignored("main.py", false));
}

TEST(NniIgnore, WalkAppliesNestedFilesAndPrunesIgnoredFolders) {
    nfstest::TempDir dir;
    const auto& root = dir.path();
    nfstest::write_local(root / ".nniignore", "*.ckpt\noutputs\n");
    nfstest::write_local(root / "main.py", "print(1)\n");
    nfstest::write_local(root / "model.ckpt", "big");
    nfstest::write_local(root / "outputs/run1/log.txt", "x");
    nfstest::write_local(root / "lib/.nniignore", "cache.bin\n!*.ckpt\n");
    nfstest::write_local(root / "lib/util.py", "u");
    nfstest::write_local(root / "lib/cache.bin", "c");
    nfstest::write_local(root / "lib/weights.ckpt", "w");  // re-included inside lib/
    nfstest::write_local(root / "cache.bin", "top");       // lib's rule does not apply here
    std::vector<std::string> paths;
    for (const auto& f : tshost::storage::list_code_files(root))
        paths.push_back(f.rel_path);
    EXPECT_EQ(paths, (std::vector<std::string>{".nniignore", "cache.bin", "lib/.nniignore",
                                               "lib/util.py", "lib/weights.ckpt", "main.py"}));
}

TEST(CodeManifest, RoundTripsAndRejectsUnrepresentableNames) {
    using tshost::storage::ManifestEntry;
    const std::string sha(64, 'a');
    const std::vector<ManifestEntry> entries{{sha, 0755, 12, "bin/run me.sh"},
                                             {sha, 0644, 0, "a.txt"}};
    const std::string text = tshost::storage::format_manifest(entries);
    EXPECT_NE(text.find(sha + " 0755 12 bin/run me.sh\n"), std::string::npos);
    const auto back = tshost::storage::parse_manifest(text);
    ASSERT_EQ(back.size(), 2U);
    EXPECT_EQ(back[0].path, "bin/run me.sh");
    EXPECT_EQ(back[0].mode, 0755U);
    EXPECT_EQ(back[0].size, 12U);
    EXPECT_THROW(tshost::storage::format_manifest({{sha, 0644, 1, "bad\nname"}}),
                 std::invalid_argument);
    EXPECT_EQ(tshost::storage::cas_path(sha), "nni/.cas/aa/" + sha);
}
