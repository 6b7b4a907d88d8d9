// Lexical path helpers: no system calls. Paths here are absolute unless said otherwise.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sbx {

// Collapse "//", "/./" and "/../" (lexically; ".." above "/" stays at "/"), drop a trailing "/".
[[nodiscard]] std::string normalize_path(std::string_view path);

// Components of a normalised absolute path: "/a/b" -> {"a", "b"}; "/" -> {}.
[[nodiscard]] std::vector<std::string> path_components(std::string_view path);

// True when `path` is `ancestor` or lies beneath it, lexically: "/a/b" is within "/a" and "/",
// "/ab" is not within "/a", "/a/../b" is not within "/a" (paths that are not normalised are
// normalised first); a relative path is within nothing.
[[nodiscard]] bool path_is_within(std::string_view path, std::string_view ancestor);

// Join a normalised absolute directory and a relative path, then normalise.
[[nodiscard]] std::string path_join(std::string_view dir, std::string_view rel);

// The parent of an absolute path ("/" for "/" and "/a"), normalised.
[[nodiscard]] std::string path_parent(std::string_view path);

// The same for a path that is normalised already (resolve() and path_join() results), read off
// the string without a copy: a view into `path`.
[[nodiscard]] std::string_view path_parent_view(std::string_view path);

// The last component, as written: "/a/b" -> "b", "b" -> "b", "/a/" -> "" (no normalising).
[[nodiscard]] std::string path_base_name(std::string_view path);

}  // namespace sbx
