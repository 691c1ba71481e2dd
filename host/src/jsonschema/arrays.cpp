// Array keywords: items / prefixItems / additionalItems, contains with its bounds, size and
// uniqueness, and unevaluatedItems.
#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "jsonschema/compiler.hpp"
#include "jsonschema/messages.hpp"

namespace tshost::jsonschema::detail {
namespace {

// prefixItems (or array-form items) for the first items, then one schema for the rest.
class ItemsKeyword final : public Keyword {
  public:
    ItemsKeyword(std::string pointer, std::vector<const Node*> prefix, const Node* rest)
        : Keyword(std::move(pointer)), prefix_(std::move(prefix)), rest_(rest) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated* evaluated) const override {
        bool valid = true;
        const std::size_t size = instance.size();
        for (std::size_t i = 0; i < size && i < prefix_.size(); ++i) {
            Evaluator::Step step(ev, i);
            if (!ev.validate(*prefix_[i], instance[i], nullptr)) {
                valid = false;
                if (ev.should_stop()) {
                    return false;
                }
            }
            if (evaluated != nullptr) {
                evaluated->mark(i);
            }
        }
        if (rest_ == nullptr || size <= prefix_.size()) {
            return valid;
        }
        if (rest_->reject_all) {
            // One message for the array rather than one per surplus item.
            if (ev.collecting()) {
                ev.add(rest_->pointer,
                       prefix_.empty() ? "must be empty (has " + count_of(size, "item") + ")"
                                       : "must have at most " + count_of(prefix_.size(), "item") +
                                             " (has " + std::to_string(size) + ")");
            }
            return false;
        }
        for (std::size_t i = prefix_.size(); i < size; ++i) {
            Evaluator::Step step(ev, i);
            if (!ev.validate(*rest_, instance[i], nullptr)) {
                valid = false;
                if (ev.should_stop()) {
                    return false;
                }
            }
        }
        if (evaluated != nullptr) {
            evaluated->mark_all();
        }
        return valid;
    }

  private:
    std::vector<const Node*> prefix_;
    const Node* rest_;
};

class ContainsKeyword final : public Keyword {
  public:
    ContainsKeyword(std::string pointer, const Node* schema, std::size_t min, std::size_t max,
                    bool annotates)
        : Keyword(std::move(pointer)),
          schema_(schema),
          min_(min),
          max_(max),
          annotates_(annotates) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated* evaluated) const override {
        const bool mark = annotates_ && evaluated != nullptr;
        const bool bounded = max_ != std::numeric_limits<std::size_t>::max();
        std::size_t matches = 0;
        for (std::size_t i = 0; i < instance.size(); ++i) {
            Evaluator::Step step(ev, i);
            if (ev.check(*schema_, instance[i], nullptr)) {
                ++matches;
                if (mark) {
                    evaluated->mark(i);
                } else if (!bounded && matches >= min_) {
                    break;
                }
            }
        }
        if (matches < min_) {
            return ev.fail(*this, [&] {
                return min_ == 1 ? "must contain at least one item that matches the schema at " +
                                       schema_->pointer + " (none does)"
                                 : "must contain at least " + count_of(min_, "matching item") +
                                       " (found " + std::to_string(matches) + ")";
            });
        }
        if (matches > max_) {
            return ev.fail(*this, [&] {
                return "must contain at most " + count_of(max_, "matching item") + " (found " +
                       std::to_string(matches) + ")";
            });
        }
        return true;
    }

  private:
    const Node* schema_;
    std::size_t min_;
    std::size_t max_;
    bool annotates_;
};

class SizeKeyword final : public Keyword {
  public:
    SizeKeyword(std::string pointer, std::size_t limit, bool is_max, std::string_view noun)
        : Keyword(std::move(pointer)), limit_(limit), is_max_(is_max), noun_(noun) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated*) const override {
        const std::size_t size = instance.size();
        if (is_max_ ? size <= limit_ : size >= limit_) {
            return true;
        }
        return ev.fail(*this, [&] {
            return std::string(is_max_ ? "must have at most " : "must have at least ") +
                   count_of(limit_, noun_) + " (has " + std::to_string(size) + ")";
        });
    }

  private:
    std::size_t limit_;
    bool is_max_;
    std::string_view noun_;
};

class UniqueItemsKeyword final : public Keyword {
  public:
    using Keyword::Keyword;

    bool validate(Evaluator& ev, const json& instance, Evaluated*) const override {
        auto duplicate = find_duplicate(instance);
        if (!duplicate) {
            return true;
        }
        return ev.fail(*this, [&] {
            return "items [" + std::to_string(duplicate->first) + "] and [" +
                   std::to_string(duplicate->second) + "] are equal; every item must be unique";
        });
    }

  private:
    static std::optional<std::pair<std::size_t, std::size_t>> find_duplicate(const json& array) {
        // Sorting by hash keeps this O(n log n) on large arrays; equal hashes are then compared.
        std::vector<std::pair<std::size_t, std::size_t>> hashed;
        hashed.reserve(array.size());
        for (std::size_t i = 0; i < array.size(); ++i) {
            hashed.emplace_back(json_hash(array[i]), i);
        }
        std::sort(hashed.begin(), hashed.end());
        std::optional<std::pair<std::size_t, std::size_t>> first;
        for (std::size_t start = 0; start < hashed.size();) {
            std::size_t end = start + 1;
            while (end < hashed.size() && hashed[end].first == hashed[start].first) {
                ++end;
            }
            for (std::size_t i = start; i < end; ++i) {
                for (std::size_t j = i + 1; j < end; ++j) {
                    if (json_equal(array[hashed[i].second], array[hashed[j].second]) &&
                        (!first || hashed[j].second < first->second)) {
                        first = std::pair{hashed[i].second, hashed[j].second};
                    }
                }
            }
            start = end;
        }
        return first;
    }
};

class UnevaluatedItemsKeyword final : public Keyword {
  public:
    UnevaluatedItemsKeyword(std::string pointer, const Node* schema)
        : Keyword(std::move(pointer)), schema_(schema) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated* evaluated) const override {
        bool valid = true;
        for (std::size_t i = 0; i < instance.size(); ++i) {
            if (evaluated->contains(i)) {
                continue;
            }
            Evaluator::Step step(ev, i);
            if (schema_->reject_all) {
                valid = ev.fail(*this, [] {
                    return std::string("unexpected item: no schema here describes it");
                });
            } else {
                valid = ev.validate(*schema_, instance[i], nullptr) && valid;
            }
            if (!valid && ev.should_stop()) {
                return false;
            }
        }
        if (valid) {
            evaluated->mark_all();
        }
        return valid;
    }

  private:
    const Node* schema_;
};

void compile_items(NodeBuilder& b) {
    std::vector<const Node*> prefix;
    const Node* rest = nullptr;
    std::string_view keyword = "items";
    if (b.dialect().since(Draft::Draft2020_12)) {
        if (b.has("prefixItems")) {
            prefix = b.subschemas("prefixItems");
            keyword = "prefixItems";
        }
        if (const json* items = b.find("items")) {
            if (items->is_array()) {
                b.invalid("items",
                          "'items' must be a schema in draft 2020-12; use 'prefixItems' "
                          "for a list of schemas");
            }
            rest = b.subschema("items");
        }
    } else if (const json* items = b.find("items")) {
        if (items->is_array()) {
            prefix = b.subschemas("items");
            if (b.has("additionalItems")) {
                rest = b.subschema("additionalItems");
            }
        } else {
            rest = b.subschema("items");
        }
    }
    if (!prefix.empty() || rest != nullptr || b.has(keyword)) {
        b.add(std::make_unique<ItemsKeyword>(b.pointer_of(keyword), std::move(prefix), rest),
              mask_of(Kind::Array));
    }
}

void compile_contains(NodeBuilder& b) {
    if (!b.has("contains") || !b.dialect().since(Draft::Draft6)) {
        return;
    }
    std::size_t min = 1;
    std::size_t max = std::numeric_limits<std::size_t>::max();
    if (b.dialect().since(Draft::Draft2019_09) && b.dialect().has(kValidation)) {
        min = b.has("minContains") ? b.count("minContains") : 1;
        max = b.has("maxContains") ? b.count("maxContains") : max;
    }
    b.add(std::make_unique<ContainsKeyword>(b.pointer_of("contains"), b.subschema("contains"), min,
                                            max, b.dialect().since(Draft::Draft2020_12)),
          mask_of(Kind::Array));
}

}  // namespace

void compile_arrays(NodeBuilder& b) {
    // Checks on the array itself come before checks on its items, in errors and in time.
    if (b.dialect().has(kValidation)) {
        for (std::string_view keyword : {"minItems", "maxItems"}) {
            if (b.has(keyword)) {
                b.add(std::make_unique<SizeKeyword>(b.pointer_of(keyword), b.count(keyword),
                                                    keyword == "maxItems", "item"),
                      mask_of(Kind::Array));
            }
        }
        if (b.has("uniqueItems") && b.boolean("uniqueItems")) {
            b.add(std::make_unique<UniqueItemsKeyword>(b.pointer_of("uniqueItems")),
                  mask_of(Kind::Array));
        }
    }
    if (b.dialect().has(kApplicator)) {
        compile_items(b);
        compile_contains(b);
    }
}

void compile_unevaluated_items(NodeBuilder& b) {
    if (!b.begin_unevaluated("unevaluatedItems")) {
        return;
    }
    b.add(std::make_unique<UnevaluatedItemsKeyword>(b.pointer_of("unevaluatedItems"),
                                                    b.subschema("unevaluatedItems")),
          mask_of(Kind::Array));
}

std::unique_ptr<Keyword> make_size_keyword(std::string pointer, std::size_t limit, bool is_max,
                                           std::string_view noun) {
    return std::make_unique<SizeKeyword>(std::move(pointer), limit, is_max, noun);
}

}  // namespace tshost::jsonschema::detail
