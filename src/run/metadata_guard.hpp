// Whether the Landlock sandbox may change an object's metadata (mode, owner, times, xattrs).
//
// Landlock has no right for these calls, so sbxrun decides them (run/metadata_notify.hpp) with
// the rule Landlock applies to writes: an object may be changed where a file could be written,
// i.e. when the union of the access rights of the compiled rules on the object itself and on
// each of its ancestor directories contains LANDLOCK_ACCESS_FS_WRITE_FILE. That is exactly
// "beneath a writable root and not in a protected or denied hole of it" as the compile carved
// it (backend/landlock_compile.hpp), including what approximate/weaken made of the holes.
// Device nodes are never changed (the built-in /dev rules grant writes, not a new mode).
//
// The decision is on identities (st_dev, st_ino), never on path strings: the supervisor finds
// the ancestors of a descriptor by walking ".." from it (ancestry()), which a concurrent rename
// cannot make it mistake for another place.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

#include "inner/inner_spec.hpp"
#include "util/result.hpp"

namespace sbx {

struct FileId {
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    bool operator==(const FileId&) const = default;
};

struct GuardRule {
    FileId id;
    std::uint64_t access = 0;  // LANDLOCK_ACCESS_FS_*
};

class MetadataGuard {
public:
    MetadataGuard() = default;
    explicit MetadataGuard(std::vector<GuardRule> rules) : rules_(std::move(rules)) {}

    // The rules of a compiled spec, identified through their descriptors (fstat, once).
    [[nodiscard]] static Result<MetadataGuard> from_spec(const LandlockSpec& spec);

    // The writable roots themselves keep their own mode, owner, times and xattrs: a root is
    // also an entry of the directory it sits in, outside the roots (${tmpdir} = /tmp as root:
    // chmod 0777 /tmp dropped the host's sticky bit, found by an outside review).
    void keep_roots_as_they_are(std::vector<FileId> roots) { roots_ = std::move(roots); }

    // `chain`: the object first, then each ancestor directory up to "/". `mode`: its st_mode.
    [[nodiscard]] bool may_change(const std::vector<FileId>& chain, mode_t mode) const;

private:
    std::vector<GuardRule> rules_;
    std::vector<FileId> roots_;
};

// The object behind `fd` (any kind, O_PATH included) and its ancestors up to "/".
// A directory's parents come from ".." (race-free); a non-directory's parent is the directory
// that /proc/self/fd names for it, accepted only if it holds an entry with the object's identity
// at the time of the check (an object the command renames meanwhile is refused, not misplaced).
// Errors carry the errno to answer with: EPERM for an object with no directory to decide by
// (removed or O_TMPFILE files, pipes, sockets).
[[nodiscard]] Result<std::vector<FileId>> ancestry(int fd, mode_t* mode_out);

}  // namespace sbx
