// Test support: the subset of JSON Schema (as OpenAPI 3.0 uses it) that api/openapi.json is written in, so the
// contract test can check every response against the document. A keyword the validator does not know is an
// error, never silently ignored: the document cannot use a rule the tests do not enforce.
#pragma once

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace riskradar::testing_support {

class SchemaValidator {
 public:
  explicit SchemaValidator(const nlohmann::json& document) : doc_(document) {}

  // Every problem found, each prefixed with the JSON pointer-like path of the instance; empty when valid.
  std::vector<std::string> Validate(const nlohmann::json& instance, const nlohmann::json& schema) const {
    std::vector<std::string> errors;
    Check(instance, schema, "$", errors, 0);
    return errors;
  }

  // Resolves "#/components/schemas/X" style references within the document.
  const nlohmann::json* Resolve(const std::string& ref) const {
    if (ref.rfind("#/", 0) != 0) return nullptr;
    const nlohmann::json* node = &doc_;
    size_t pos = 2;
    while (pos <= ref.size()) {
      size_t end = ref.find('/', pos);
      if (end == std::string::npos) end = ref.size();
      const std::string key = ref.substr(pos, end - pos);
      if (!node->is_object() || !node->contains(key)) return nullptr;
      node = &(*node)[key];
      pos = end + 1;
    }
    return node;
  }

 private:
  static bool IsType(const nlohmann::json& v, const std::string& type) {
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "boolean") return v.is_boolean();
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    return false;
  }

  static bool IsDate(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
      if (s[i] < '0' || s[i] > '9') return false;
    }
    return true;
  }

  void Check(const nlohmann::json& v, const nlohmann::json& schema, const std::string& at,
             std::vector<std::string>& errors, int depth) const {
    static const std::set<std::string> kKnown = {"type",      "required", "properties",  "additionalProperties",
                                                 "items",     "enum",     "nullable",    "allOf",
                                                 "$ref",      "minimum",  "maximum",     "minLength",
                                                 "maxLength", "format",   "description", "minItems",
                                                 "maxItems",  "example"};
    if (depth > 64) {
      errors.push_back(at + ": schema nesting too deep (a $ref cycle?)");
      return;
    }
    if (!schema.is_object()) {
      errors.push_back(at + ": schema is not an object");
      return;
    }
    for (const auto& [key, unused] : schema.items()) {
      if (!kKnown.count(key)) errors.push_back(at + ": schema keyword '" + key + "' is not supported by the validator");
    }
    if (schema.contains("$ref")) {
      const nlohmann::json* target = Resolve(schema["$ref"].get<std::string>());
      if (!target) {
        errors.push_back(at + ": unresolved $ref " + schema["$ref"].get<std::string>());
        return;
      }
      Check(v, *target, at, errors, depth + 1);
      return;
    }
    if (v.is_null()) {
      if (!schema.value("nullable", false)) errors.push_back(at + ": null where the schema is not nullable");
      return;
    }
    if (schema.contains("allOf")) {
      for (const auto& sub : schema["allOf"]) Check(v, sub, at, errors, depth + 1);
    }
    if (schema.contains("type")) {
      const std::string type = schema["type"].get<std::string>();
      if (!IsType(v, type)) {
        errors.push_back(at + ": expected " + type + ", got " + v.type_name());
        return;
      }
    }
    if (schema.contains("enum")) {
      bool found = false;
      for (const auto& e : schema["enum"]) found = found || e == v;
      if (!found) errors.push_back(at + ": " + v.dump() + " is not one of " + schema["enum"].dump());
    }
    if (v.is_number()) {
      if (schema.contains("minimum") && v.get<double>() < schema["minimum"].get<double>()) {
        errors.push_back(at + ": " + v.dump() + " is below the minimum " + schema["minimum"].dump());
      }
      if (schema.contains("maximum") && v.get<double>() > schema["maximum"].get<double>()) {
        errors.push_back(at + ": " + v.dump() + " is above the maximum " + schema["maximum"].dump());
      }
    }
    if (v.is_string()) {
      const auto n = v.get<std::string>().size();
      if (schema.contains("minLength") && n < schema["minLength"].get<size_t>()) {
        errors.push_back(at + ": string shorter than " + schema["minLength"].dump());
      }
      if (schema.contains("maxLength") && n > schema["maxLength"].get<size_t>()) {
        errors.push_back(at + ": string longer than " + schema["maxLength"].dump());
      }
      if (schema.value("format", "") == "date" && !IsDate(v.get<std::string>())) {
        errors.push_back(at + ": " + v.dump() + " is not a date (YYYY-MM-DD)");
      }
    }
    if (v.is_array()) {
      if (schema.contains("minItems") && v.size() < schema["minItems"].get<size_t>()) {
        errors.push_back(at + ": fewer items than " + schema["minItems"].dump());
      }
      if (schema.contains("maxItems") && v.size() > schema["maxItems"].get<size_t>()) {
        errors.push_back(at + ": more items than " + schema["maxItems"].dump());
      }
      if (schema.contains("items")) {
        for (size_t i = 0; i < v.size(); ++i)
          Check(v[i], schema["items"], at + "[" + std::to_string(i) + "]", errors, depth + 1);
      }
    }
    if (v.is_object()) {
      if (schema.contains("required")) {
        for (const auto& r : schema["required"]) {
          if (!v.contains(r.get<std::string>())) errors.push_back(at + ": missing required property " + r.dump());
        }
      }
      const nlohmann::json props = schema.value("properties", nlohmann::json::object());
      for (const auto& [key, value] : v.items()) {
        if (props.contains(key)) {
          Check(value, props[key], at + "." + key, errors, depth + 1);
        } else if (schema.contains("additionalProperties")) {
          const auto& extra = schema["additionalProperties"];
          if (extra.is_boolean()) {
            if (!extra.get<bool>()) errors.push_back(at + ": unexpected property '" + key + "'");
          } else {
            Check(value, extra, at + "." + key, errors, depth + 1);
          }
        }
      }
    }
  }

  const nlohmann::json& doc_;
};

}  // namespace riskradar::testing_support
