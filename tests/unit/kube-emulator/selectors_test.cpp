#include <gtest/gtest.h>

#include "selectors.hpp"

namespace kemu {
namespace {

bool sel(const char* s, const json& labels) {
    auto parsed = LabelSelector::parse(s);
    EXPECT_TRUE(parsed) << s;
    return parsed.value.matches(labels);
}

TEST(LabelSelector, FullSyntax) {
    const json l = {{"app", "nni"}, {"exp", "e1"}, {"tier", "gpu"}};
    EXPECT_TRUE(sel("app=nni", l));
    EXPECT_TRUE(sel("app==nni,exp=e1", l));
    EXPECT_FALSE(sel("app!=nni", l));
    EXPECT_TRUE(sel("missing!=x", l));
    EXPECT_TRUE(sel("tier in (cpu, gpu)", l));
    EXPECT_FALSE(sel("tier notin (cpu,gpu)", l));
    EXPECT_TRUE(sel("missing notin (a)", l));
    EXPECT_TRUE(sel("app", l));
    EXPECT_FALSE(sel("!app", l));
    EXPECT_TRUE(sel("!missing", l));
    EXPECT_TRUE(sel("", l));
}

TEST(LabelSelector, RejectsGarbage) {
    EXPECT_FALSE(LabelSelector::parse("a in (b"));
    EXPECT_FALSE(LabelSelector::parse("a=b,,c"));
    EXPECT_FALSE(LabelSelector::parse("a in b"));
    EXPECT_FALSE(LabelSelector::parse("a=b c"));
}

TEST(FieldSelector, NameAndNested) {
    const json obj = {{"metadata", {{"name", "x"}}}, {"status", {{"phase", "Running"}}}};
    auto f = FieldSelector::parse("metadata.name=x,status.phase!=Failed");
    ASSERT_TRUE(f);
    EXPECT_TRUE(f.value.matches(obj));
    auto g = FieldSelector::parse("metadata.name==y");
    ASSERT_TRUE(g);
    EXPECT_FALSE(g.value.matches(obj));
}

}  // namespace
}  // namespace kemu
