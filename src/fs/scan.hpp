// Find the symlinks inside a protected directory, without following any of them.
//
// A real .codex/ may hold links such as config.toml -> ../.auxiliary/codex.toml that the
// harness reads through; the plan protects their targets too. The scan runs on every command,
// so it is bounded in depth and in entries and says when it stopped early.
#pragma once

#include <sys/types.h>

#include <span>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace sbx {

struct FoundLink {
    std::string path;       // absolute path of the link: dir_path + "/" + relative name
    std::string link_text;  // what readlink says
};

struct ScanResult {
    std::vector<FoundLink> links;         // sorted by path
    bool truncated = false;               // a bound was hit: more links may exist
    std::size_t entries_seen = 0;         // directory entries examined ("." and ".." excluded)
    std::vector<std::string> unreadable;  // subdirectories that could not be opened or read
    // Regular files with more than one name on one of the filesystems asked about
    // (hard_links_on), sorted by path.
    std::vector<std::string> hard_linked;
};

// `dirfd` refers to the directory `dir_path` (an O_PATH descriptor from resolve() is fine).
// max_depth: how many directory levels are read, the directory itself being level 1 (0 reads
// nothing). max_entries: how many entries may be examined in total. Subdirectories are opened
// with O_NOFOLLOW|O_DIRECTORY relative to their parent's descriptor, so a directory swapped
// for a link during the scan is not entered. Errors: ErrorKind::os when `dirfd` itself cannot
// be read.
// dirfd_readable: `dirfd` is itself a readable directory descriptor at its start (opened
// O_RDONLY|O_DIRECTORY: Resolved::readable); it is read in place, which saves opening "."
// through it, and is left at its end.
// hard_links_on: filesystems on which a regular file with more than one name is listed in
// ScanResult::hard_linked (one fstatat per regular file; none when empty), except below a
// first-level directory named "objects" (a git directory's, linked between clones by git).
[[nodiscard]] Result<ScanResult> scan_symlinks(int dirfd, const std::string& dir_path,
                                               int max_depth, int max_entries,
                                               bool dirfd_readable = false,
                                               std::span<const dev_t> hard_links_on = {});

}  // namespace sbx
