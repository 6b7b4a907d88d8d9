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

#include "plan/git_config.hpp"
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

// The path a `.git` file names as git reads it when nothing has been refused yet: line ends
// dropped, then the path ends at a NUL (git takes it as a C string). The after-run check
// follows what the run wrote this way, to judge what git would reach; the plan refuses such a
// file instead (parse_gitfile). nullopt when git would not use the file.
[[nodiscard]] std::optional<std::string> gitfile_target(std::string_view content);

// The path in a `commondir` file: trailing '\n'/'\r' dropped; empty means the gitdir itself
// ("."). Errors as for parse_gitfile.
[[nodiscard]] Result<std::string> parse_commondir(std::string_view content);

// `text` (from a .git or commondir file) as an absolute path: relative ones are taken against
// `base`, a canonical directory. Lexical, so a ".." after a component that might be a symlink
// would be taken differently from git (which uses realpath): refused (nullopt) then.
[[nodiscard]] std::optional<std::string> gitdir_path(std::string_view base, std::string_view text);

// The gitlinks (mode 160000: submodules) of a git index file, as paths relative to its work
// tree. The index, not `.gitmodules`: it sits in the git directory the sandbox cannot write,
// and it is what git itself recurses by (a gitlink with no .gitmodules entry is still entered by
// `git status`); .gitmodules is in the work tree, and one run could empty it for the next.
// Versions 2, 3 and 4, SHA-1 or SHA-256 object names (tried in that order: the one whose entries
// all parse wins). Errors (ErrorKind::unenforceable, 122): not an index, or one that neither hash
// size parses. A split index (the "link" extension) holds its entries elsewhere: also an error,
// since its gitlinks cannot be seen here. At most kGitlinksMax gitlinks.
inline constexpr std::size_t kGitlinksMax = 4096;
inline constexpr std::size_t kGitIndexMax = 128u * 1024 * 1024;
[[nodiscard]] Result<std::vector<std::string>> gitlink_paths(std::string_view index);

// The same, at most `max` gitlinks, and a split index read as git writes it: its own gitlinks
// and the file name of the shared index it names ("sharedindex.<hex>", in the same git
// directory; "" when it is not split), whose gitlinks are the rest (the after-run git check,
// run/git_index.hpp, reads both).
struct IndexGitlinks {
    std::vector<std::string> paths;
    std::string shared_index;
    // A split index's gitlink that replaces a shared entry, named only by its place there.
    bool unnamed_gitlinks = false;
};
[[nodiscard]] Result<IndexGitlinks> index_gitlinks(std::string_view index, std::size_t max);

// The remotes a git directory (open on `gitdir_fd`) still defines in files of git's older
// forms, remotes/<name> and branches/<name> (git_config.hpp's legacy_remote_entries reads
// each; review 53: an origin named only in .git/branches/origin kept its hooks writable), as
// git reads them: each a regular file, links followed. At most kMaxLegacyRemoteFiles of each
// kind; `truncated` says there were more.
inline constexpr int kMaxLegacyRemoteFiles = 64;
struct LegacyRemotes {
    std::vector<GitConfigEntry> entries;
    bool truncated = false;
};
[[nodiscard]] LegacyRemotes read_legacy_remotes(int gitdir_fd);

// Read a small regular file through `fd` (an O_PATH descriptor of it, already resolved and
// checked): reopened through /proc/self/fd, so the very inode checked is read, never a path.
// The reopened file must still be the same regular file (dev/ino). At most `max` bytes;
// a longer file is ErrorKind::unenforceable.
[[nodiscard]] Result<std::string> read_small_file(int fd, const std::string& path,
                                                  std::size_t max = kGitfileMax);

}  // namespace sbx
