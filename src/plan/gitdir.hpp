// A `.git` file (`gitdir: <path>`) and a git directory's `commondir` file: where git will look
// for the repository's config and hooks. The plan protects those directories like `.git`
// itself (make_plan.cpp); this file only reads and parses, like git does (setup.c:
// read_gitfile_gently, get_common_dir_noenv).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace sbx {

// Larger files are refused, not truncated: a path git would read in full must not be cut.
// A path is at most PATH_MAX (4096) long; the prefix and line ending fit in the rest.
inline constexpr std::size_t kGitfileMax = 8192;

// The path a `.git` file names, exactly as git takes it: the content must start with
// "gitdir: "; trailing '\n' and '\r' are dropped (git drops nothing else, so neither do we:
// "x " names "x "). nullopt when git would not use the file (no prefix, empty path): git then
// stops with "invalid gitfile format", so there is nothing to follow.
// Errors (ErrorKind::unenforceable, exit 122): a NUL byte (git would stop reading at it, a
// parse that differs from git's is a path we would protect in vain), or over kGitfileMax.
[[nodiscard]] Result<std::optional<std::string>> parse_gitfile(std::string_view content);

// The path in a `commondir` file: trailing '\n'/'\r' dropped; empty means the gitdir itself
// ("."). Errors as for parse_gitfile.
[[nodiscard]] Result<std::string> parse_commondir(std::string_view content);

// `text` (from a .git or commondir file) as an absolute path: relative ones are taken against
// `base`, a canonical directory. Lexical, so a ".." after a component that might be a symlink
// would be taken differently from git (which uses realpath): refused (nullopt) then.
[[nodiscard]] std::optional<std::string> gitdir_path(std::string_view base, std::string_view text);

// The submodule paths a `.gitmodules` file lists (`path = <p>` in its `[submodule "..."]`
// sections, as git config reads them: keys case-insensitive, a value in double quotes taken
// without them, `#`/`;` comments). Only plain relative paths are returned; one that is
// absolute, empty or has a `.` or `..` component is skipped (git refuses those too). At most
// kGitmodulesMax paths: a longer list is ErrorKind::unenforceable (122), not cut short.
// Approximation: include.path, escapes and line continuations are not followed.
inline constexpr std::size_t kGitmodulesMax = 512;
inline constexpr std::size_t kGitmodulesFileMax = 256 * 1024;
[[nodiscard]] Result<std::vector<std::string>> parse_gitmodules_paths(std::string_view content);

// Read a small regular file through `fd` (an O_PATH descriptor of it, already resolved and
// checked): reopened through /proc/self/fd, so the very inode checked is read, never a path.
// The reopened file must still be the same regular file (dev/ino). At most `max` bytes;
// a longer file is ErrorKind::unenforceable.
[[nodiscard]] Result<std::string> read_small_file(int fd, const std::string& path,
                                                  std::size_t max = kGitfileMax);

}  // namespace sbx
