// The dot-entries of a writable HOME that a sandboxed command may still make and write
// (plan/home_dotfiles.hpp keeps the others): histories the shells and interpreters append to at
// exit, from which no program runs anything. Shared by the plan, sbxrun-inner's entry broker and
// the Landlock backend's mediation of entry calls, which each decide on a name alone.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace sbx {

inline constexpr std::array<std::string_view, 14> kHomeWritableDotEntries{
    ".bash_history",   ".zsh_history",
    ".histfile",       ".sh_history",
    ".python_history", ".node_repl_history",
    ".lesshst",        ".viminfo",
    ".psql_history",   ".mysql_history",
    ".sqlite_history", ".rediscli_history",
    ".wget-hsts",      ".sudo_as_admin_successful",
};

// Whether `lower` (a name, lower-cased) is one a writable HOME keeps from being made: a
// dot-entry that is not one of the above.
[[nodiscard]] inline bool home_dot_name_blocked(std::string_view lower) {
    if (lower.size() < 2 || lower[0] != '.' || lower == "..") return false;
    return std::find(kHomeWritableDotEntries.begin(), kHomeWritableDotEntries.end(), lower) ==
           kHomeWritableDotEntries.end();
}

}  // namespace sbx
