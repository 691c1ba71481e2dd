// Keywords that check one value without looking into subschemas: type, enum, const, the
// numeric bounds, string length, pattern and format.
#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <vector>

#include "jsonschema/compiler.hpp"
#include "jsonschema/formats.hpp"
#include "jsonschema/messages.hpp"

namespace tshost::jsonschema::detail {
namespace {

// ---- type ----

enum TypeBit : std::uint8_t {
    kNullType = 1,
    kBooleanType = 2,
    kIntegerType = 4,
    kNumberType = 8,
    kStringType = 16,
    kArrayType = 32,
    kObjectType = 64,
};

constexpr std::array<std::pair<std::string_view, std::uint8_t>, 7> kTypeNames{{
    {"null", kNullType},
    {"boolean", kBooleanType},
    {"integer", kIntegerType},
    {"number", kNumberType},
    {"string", kStringType},
    {"array", kArrayType},
    {"object", kObjectType},
}};

// For YAML users the usual slip is quoting (or not quoting) a scalar.
std::string quoting_hint(const json& instance, std::uint8_t allowed) {
    if (instance.is_string()) {
        const std::string& text = instance.get_ref<const std::string&>();
        double parsed = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
        bool numeric = !text.empty() && ec == std::errc{} && end == text.data() + text.size();
        bool integral = numeric && text.find_first_of(".eE") == std::string::npos;
        bool boolean = text == "true" || text == "false";
        if (((allowed & kNumberType) != 0 && numeric) ||
            ((allowed & kIntegerType) != 0 && integral) ||
            ((allowed & kBooleanType) != 0 && boolean)) {
            return " — remove the quotes";
        }
    } else if ((allowed & kStringType) != 0 && (instance.is_number() || instance.is_boolean())) {
        return " — put it in quotes to make it a string";
    }
    return {};
}

class TypeKeyword final : public Keyword {
  public:
    TypeKeyword(std::string pointer, std::uint8_t allowed, std::vector<std::string> names)
        : Keyword(std::move(pointer)), allowed_(allowed), names_(std::move(names)) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated*) const override {
        if (matches(instance)) {
            return true;
        }
        if (ev.collecting()) {
            ErrorRecord& record =
                ev.add(pointer(),
                       "expected " + join_alternatives(names_) + ", got " +
                           typed_value_text(instance) + quoting_hint(instance, allowed_),
                       ErrorKind::Type);
            record.expected = names_;
        }
        return false;
    }

    bool decisive() const override { return true; }

  private:
    bool matches(const json& instance) const {
        switch (kind_of(instance)) {
            case Kind::Null:
                return (allowed_ & kNullType) != 0;
            case Kind::Boolean:
                return (allowed_ & kBooleanType) != 0;
            case Kind::Number:
                return (allowed_ & kNumberType) != 0 ||
                       ((allowed_ & kIntegerType) != 0 && is_integral(instance));
            case Kind::String:
                return (allowed_ & kStringType) != 0;
            case Kind::Array:
                return (allowed_ & kArrayType) != 0;
            case Kind::Object:
                return (allowed_ & kObjectType) != 0;
        }
        return false;
    }

    std::uint8_t allowed_;
    std::vector<std::string> names_;
};

void compile_type(NodeBuilder& b) {
    const json* type = b.find("type");
    if (type == nullptr) {
        return;
    }
    std::vector<std::string> names;
    if (type->is_string()) {
        names.push_back(type->get<std::string>());
    } else {
        names = b.string_array("type", *type);
    }
    std::vector<std::string> known;
    for (const auto& [name, bit] : kTypeNames) {
        known.emplace_back(name);
    }
    std::uint8_t allowed = 0;
    for (const std::string& name : names) {
        auto it = std::find_if(kTypeNames.begin(), kTypeNames.end(),
                               [&](const auto& entry) { return entry.first == name; });
        if (it == kTypeNames.end()) {
            b.invalid("type", "unknown type " + quote_key(name) + did_you_mean(name, known));
        }
        allowed |= it->second;
    }
    b.add(std::make_unique<TypeKeyword>(b.pointer_of("type"), allowed, std::move(names)), kAnyKind);
}

// ---- enum, const ----

class EnumKeyword final : public Keyword {
  public:
    EnumKeyword(std::string pointer, std::vector<const json*> allowed)
        : Keyword(std::move(pointer)), allowed_(std::move(allowed)) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated*) const override {
        for (const json* value : allowed_) {
            if (json_equal(*value, instance)) {
                return true;
            }
        }
        if (ev.collecting()) {
            ErrorRecord& record =
                ev.add(pointer(), must_be_one_of(allowed_, instance), ErrorKind::Value);
            record.allowed = allowed_;
            record.value = &instance;
        }
        return false;
    }

  private:
    std::vector<const json*> allowed_;
};

void compile_type_and_values_impl(NodeBuilder& b) {
    if (b.dialect().openapi) {
        const json* nullable = b.find("nullable");
        b.node().accepts_null =
            nullable != nullptr && nullable->is_boolean() && nullable->get<bool>();
    }
    compile_type(b);
    if (const json* values = b.find("enum")) {
        if (!values->is_array()) {
            b.must_be("enum", "an array");
        }
        std::vector<const json*> allowed;
        for (const json& value : *values) {
            allowed.push_back(&value);
        }
        b.add(std::make_unique<EnumKeyword>(b.pointer_of("enum"), std::move(allowed)), kAnyKind);
    }
    if (const json* value = b.find("const"); value != nullptr && b.dialect().since(Draft::Draft6)) {
        b.add(std::make_unique<EnumKeyword>(b.pointer_of("const"), std::vector<const json*>{value}),
              kAnyKind);
    }
}

// ---- numbers ----

enum class Bound { Minimum, ExclusiveMinimum, Maximum, ExclusiveMaximum };

class BoundKeyword final : public Keyword {
  public:
    BoundKeyword(std::string pointer, const json& limit, Bound bound)
        : Keyword(std::move(pointer)), limit_(limit), bound_(bound) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated*) const override {
        int order = compare_numbers(instance, limit_);
        static constexpr std::array<std::string_view, 4> kOperators{">=", ">", "<=", "<"};
        bool ok = order != kUnordered && (bound_ == Bound::Minimum            ? order >= 0
                                          : bound_ == Bound::ExclusiveMinimum ? order > 0
                                          : bound_ == Bound::Maximum          ? order <= 0
                                                                              : order < 0);
        return ok || ev.fail(*this, [&] {
            return "must be " + std::string(kOperators[static_cast<std::size_t>(bound_)]) + " " +
                   limit_.dump() + " (got " + value_text(instance) + ")";
        });
    }

  private:
    const json& limit_;
    Bound bound_;
};

class MultipleOfKeyword final : public Keyword {
  public:
    MultipleOfKeyword(std::string pointer, const json& divisor)
        : Keyword(std::move(pointer)), divisor_(divisor) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated*) const override {
        return is_multiple_of(instance, divisor_) || ev.fail(*this, [&] {
            return "must be a multiple of " + divisor_.dump() + " (got " + value_text(instance) +
                   ")";
        });
    }

  private:
    const json& divisor_;
};

void add_bound(NodeBuilder& b, std::string_view keyword, Bound bound) {
    b.add(std::make_unique<BoundKeyword>(b.pointer_of(keyword), b.number(keyword), bound),
          mask_of(Kind::Number));
}

// Draft 4 and OpenAPI: "exclusiveMinimum": true turns "minimum" exclusive.
void add_legacy_bound(NodeBuilder& b, std::string_view keyword, std::string_view exclusive,
                      Bound inclusive_bound, Bound exclusive_bound) {
    if (!b.has(keyword)) {
        return;
    }
    bool is_exclusive = b.has(exclusive) && b.boolean(exclusive);
    add_bound(b, keyword, is_exclusive ? exclusive_bound : inclusive_bound);
}

// ---- strings ----

class LengthKeyword final : public Keyword {
  public:
    LengthKeyword(std::string pointer, std::size_t limit, bool is_max)
        : Keyword(std::move(pointer)), limit_(limit), is_max_(is_max) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated*) const override {
        std::size_t length = utf8_length(instance.get_ref<const std::string&>());
        if (is_max_ ? length <= limit_ : length >= limit_) {
            return true;
        }
        return ev.fail(*this, [&]() -> std::string {
            if (!is_max_ && limit_ == 1) {
                return "must not be empty";
            }
            return std::string(is_max_ ? "must be at most " : "must be at least ") +
                   count_of(limit_, "character") + " long (got " + std::to_string(length) + ")";
        });
    }

  private:
    std::size_t limit_;
    bool is_max_;
};

class PatternKeyword final : public Keyword {
  public:
    PatternKeyword(std::string pointer, std::shared_ptr<const Regex> regex, std::string source)
        : Keyword(std::move(pointer)), regex_(std::move(regex)), source_(std::move(source)) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated*) const override {
        return regex_->search(instance.get_ref<const std::string&>()) || ev.fail(*this, [&] {
            return "must match the pattern " + quote_key(source_) + " (got " +
                   value_text(instance) + ")";
        });
    }

  private:
    std::shared_ptr<const Regex> regex_;
    std::string source_;
};

class FormatKeyword final : public Keyword {
  public:
    FormatKeyword(std::string pointer, const FormatChecker& checker, std::string name)
        : Keyword(std::move(pointer)), checker_(checker), name_(std::move(name)) {}

    bool validate(Evaluator& ev, const json& instance, Evaluated*) const override {
        return checker_.check(instance) || ev.fail(*this, [&] {
            return "must be a valid " + name_ + " (got " + value_text(instance) + ")";
        });
    }

  private:
    const FormatChecker& checker_;
    std::string name_;
};

}  // namespace

void compile_type_and_values(NodeBuilder& b) {
    if (b.dialect().has(kValidation)) {
        compile_type_and_values_impl(b);
    }
}

void compile_numbers(NodeBuilder& b) {
    if (!b.dialect().has(kValidation)) {
        return;
    }
    if (b.dialect().since(Draft::Draft6)) {
        constexpr std::array<std::pair<std::string_view, Bound>, 4> kBounds{{
            {"minimum", Bound::Minimum},
            {"exclusiveMinimum", Bound::ExclusiveMinimum},
            {"maximum", Bound::Maximum},
            {"exclusiveMaximum", Bound::ExclusiveMaximum},
        }};
        for (const auto& [keyword, bound] : kBounds) {
            if (b.has(keyword)) {
                add_bound(b, keyword, bound);
            }
        }
    } else {
        add_legacy_bound(b, "minimum", "exclusiveMinimum", Bound::Minimum, Bound::ExclusiveMinimum);
        add_legacy_bound(b, "maximum", "exclusiveMaximum", Bound::Maximum, Bound::ExclusiveMaximum);
    }
    if (b.has("multipleOf")) {
        const json& divisor = b.number("multipleOf");
        if (compare_numbers(divisor, json(0)) != 1) {
            b.invalid("multipleOf", "'multipleOf' must be greater than 0");
        }
        b.add(std::make_unique<MultipleOfKeyword>(b.pointer_of("multipleOf"), divisor),
              mask_of(Kind::Number));
    }
}

void compile_strings(NodeBuilder& b) {
    if (b.dialect().has(kValidation)) {
        for (std::string_view keyword : {"minLength", "maxLength"}) {
            if (b.has(keyword)) {
                b.add(std::make_unique<LengthKeyword>(b.pointer_of(keyword), b.count(keyword),
                                                      keyword == "maxLength"),
                      mask_of(Kind::String));
            }
        }
        if (b.has("pattern")) {
            const std::string& source = b.string("pattern");
            b.add(std::make_unique<PatternKeyword>(
                      b.pointer_of("pattern"), b.regex(source, b.pointer_of("pattern")), source),
                  mask_of(Kind::String));
        }
    }
    if (b.has("format") && b.format_assertion()) {
        const std::string& name = b.string("format");
        if (const FormatChecker* checker = find_format(name)) {
            b.add(std::make_unique<FormatKeyword>(b.pointer_of("format"), *checker, name),
                  mask_of(checker->applies_to));
        }
    }
}

}  // namespace tshost::jsonschema::detail
