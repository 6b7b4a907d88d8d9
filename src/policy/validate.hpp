// The schema of policy version 1, applied to a document tree over a base Policy.
#pragma once

#include <string>

#include "policy/document.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace sbx {

// Check `root` against the schema and apply it over `base` key by key: a key present in the
// document replaces the base's value (lists and the env_set table replace as a whole), a key
// absent keeps it. `file` names the document in origins. The first error wins; nothing of a
// document with an error is applied.
[[nodiscard]] Result<Policy> apply_document(const Policy& base, const DocNode& root,
                                            const std::string& file, const ExpandContext& ctx,
                                            const PolicyLimits& limits);

}  // namespace sbx
