// A short, stable name for a string (a path, a command line): 16 hex digits of its 64-bit
// FNV-1a hash. For naming files and directories apart (the bwrap probe cache, the private
// package caches), never as a security boundary: what such a name guards is checked otherwise.
#pragma once

#include <string>
#include <string_view>

namespace sbx {

[[nodiscard]] std::string name_hash(std::string_view s);

}  // namespace sbx
