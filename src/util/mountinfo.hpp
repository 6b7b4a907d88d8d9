// /proc/self/mountinfo, parsed: where each mount is, what of its filesystem it shows, and whether
// it can be written. Policy-free: sbxrun-inner reads it for the sandbox's view
// (inner/mount_table.hpp), the plan for the host's (plan/deny.cpp: the other places a denied
// directory is mounted).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sbx {

struct MountPoint {
    std::string path;       // as mountinfo shows it in this root, unescaped
    bool writable = false;  // neither the mount nor its superblock is read-only
    std::uint64_t id = 0;   // the mount ID (statx's stx_mnt_id names the same mount)
    std::string root;       // the directory of its filesystem it shows at `path`, unescaped
    dev_t dev = 0;          // the filesystem's device (major:minor), as st_dev has it
};

// mountinfo's text, one mount per line, in mount order; nullopt when a line does not parse.
[[nodiscard]] std::optional<std::vector<MountPoint>> parse_mountinfo(std::string_view text);

// /proc/self/mountinfo parsed; nullopt when it cannot be read or parsed.
[[nodiscard]] std::optional<std::vector<MountPoint>> read_mount_table();

// `path` is `dir` or below it (both canonical and absolute).
[[nodiscard]] bool path_at_or_below(std::string_view path, std::string_view dir);

}  // namespace sbx
