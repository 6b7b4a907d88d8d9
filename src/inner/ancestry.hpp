// Identities of files (st_dev, st_ino) and the ancestry of a descriptor, found by walking "..".
//
// Policy-free, shared by the two brokers that decide entry and metadata calls by identity:
// sbxrun's under the Landlock backend (run/metadata_guard.hpp) and sbxrun-inner's under bwrap
// (inner/entry_broker.hpp). Decisions are on identities, never on path strings: a concurrent
// rename cannot make a walk by ".." mistake one place for another.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace sbx {

struct FileId {
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    bool operator==(const FileId&) const = default;
};

struct FileIdHash {
    std::size_t operator()(const FileId& f) const noexcept {
        return std::hash<std::uint64_t>{}(f.ino * 1000003u ^ f.dev);
    }
};

[[nodiscard]] inline FileId id_of(const struct stat& st) {
    return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

// The object behind `fd` (any kind, O_PATH included) and its ancestors up to "/".
// A directory's parents come from ".." (race-free); a non-directory's parent is the directory
// that /proc/self/fd names for it, accepted only if it holds an entry with the object's identity
// at the time of the check (an object the command renames meanwhile is refused, not misplaced).
// Errors carry the errno to answer with: EPERM for an object with no directory to decide by
// (removed or O_TMPFILE files, pipes, sockets).
//
// `names_out` (optional): the name of each object of the chain in the directory after it, the
// root's "" last, from the path /proc/self/fd has for `fd`. Left empty when that path does not
// match the chain (a rename during the walk, a removed directory): no name is then known.
// Names are for judging what an identity cannot tell (run/metadata_guard.hpp: an object the
// host put at a protected name during the run), never for finding an object.
[[nodiscard]] Result<std::vector<FileId>> ancestry(int fd, mode_t* mode_out,
                                                   std::vector<std::string>* names_out = nullptr);

}  // namespace sbx
