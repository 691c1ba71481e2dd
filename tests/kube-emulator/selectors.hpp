// Label selectors (full set-based syntax) and field selectors (=, ==, != on dotted paths).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api_error.hpp"
#include "common.hpp"

namespace kemu {

class LabelSelector {
  public:
    /// Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`; an empty string selects everything.
    static Result<LabelSelector> parse(std::string_view text);

    bool matches(const json& labels) const;
    bool empty() const { return reqs_.empty(); }

  private:
    enum class Op { Eq, NotEq, In, NotIn, Exists, NotExists };
    struct Requirement {
        std::string key;
        Op op;
        std::vector<std::string> values;
    };
    std::vector<Requirement> reqs_;
};

class FieldSelector {
  public:
    /// Parses `metadata.name=x,status.phase!=Running`.
    static Result<FieldSelector> parse(std::string_view text);

    bool matches(const json& obj) const;
    bool empty() const { return reqs_.empty(); }

  private:
    struct Requirement {
        std::vector<std::string> path;
        bool negate;
        std::string value;
    };
    std::vector<Requirement> reqs_;
};

}  // namespace kemu
