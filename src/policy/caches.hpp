// filesystem.caches: the package tools whose caches a run gets, private to the sandbox.
//
// A tool's own cache (~/.npm, ~/.cache/pip, ~/.cache/go-build) stays read-only in the sandbox:
// a command that could write it could plant a package that the user's next unsandboxed install
// runs. Each tool named here gets a directory of sbxrun's instead (app/caches.hpp says where),
// which the command can write and which only sandboxed runs ever use; the tool is pointed at
// it by the variables below. Variables, not a bind over the tool's usual place: they work the
// same on both backends, need no mount point on the host, and each of these tools reads them
// before its configuration files.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace sbx {

// One variable a tool reads, and the subdirectory of the tool's private cache it is set to
// ("" for the tool's directory itself).
struct CacheVariable {
    std::string_view name;
    std::string_view subdir;
};

struct CacheTool {
    std::string_view name;  // as written in filesystem.caches
    std::span<const CacheVariable> variables;
    std::string_view what;  // what the tool keeps there, for sbxrun-policy(5) and --explain
    // The tool's own caches, which a run keeps read-only (and uncreatable) when a writable
    // root holds them: "~/" is $HOME, "@cache/" is $XDG_CACHE_HOME (or ~/.cache).
    std::span<const std::string_view> places;
};

// Every tool filesystem.caches knows, in the order of the built-in default.
[[nodiscard]] std::span<const CacheTool> cache_tools();
[[nodiscard]] const CacheTool* find_cache_tool(std::string_view name);

}  // namespace sbx
