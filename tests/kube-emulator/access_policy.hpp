// What SelfSubjectAccessReviews answer: every request is allowed unless a --deny
// VERB:RESOURCE rule names it (for tests of clients that check their permissions first).
// Only the reviews are affected: the requests themselves are still served.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common.hpp"

namespace kemu {

class AccessPolicy {
  public:
    /// Adds a rule "VERB:PLURAL[.GROUP]" ("create:frameworks.frameworkcontroller.microsoft.com",
    /// "delete:secrets"; "*" as verb or plural matches any). Returns the problem, or nullopt.
    std::optional<std::string> deny(const std::string& rule);

    /// The status of a SelfSubjectAccessReview whose spec is `spec`:
    /// {"allowed": bool, "denied"?: true, "reason": "..."}.
    json review(const json& spec) const;

  private:
    struct Rule {
        std::string verb, plural, group;
        bool group_given = false;
    };
    std::vector<Rule> denied_;
};

}  // namespace kemu
