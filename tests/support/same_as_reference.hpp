// Checks a fast reader against the reference reader it stands in for: `scanned` is the fast
// reader's result (nullopt: not a form it recognises), `combined` what the production entry
// point (fast reader, else reference) gives. Header-only, for GoogleTest tests.
#pragma once

#include <gtest/gtest.h>

#include <optional>

namespace tshost::test {

/// `must_scan`: the input is of the form the fast reader exists for. `reference_accepted`:
/// the reference accepts the input (a fast reader may only recognise accepted inputs, so
/// that every rejection and its message come from the reference).
template <class Result>
void expect_same_as_reference(const Result& reference, const std::optional<Result>& scanned,
                              const Result& combined, bool must_scan, bool reference_accepted) {
    if (must_scan) {
        ASSERT_TRUE(scanned.has_value()) << "the fast reader did not recognise its own form";
    }
    if (scanned) {
        EXPECT_EQ(*scanned, reference);
        EXPECT_TRUE(reference_accepted) << "the fast reader accepted what the reference refuses";
    }
    EXPECT_EQ(combined, reference);
}

}  // namespace tshost::test
