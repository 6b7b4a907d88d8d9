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
// The same rights decide the entry calls the Landlock backend mediates (run/entry_notify.hpp):
// a directory that lost its creation rights to keep a protected entry (inner_spec.hpp's
// LandlockRestrictedDir) has its entry changes, and everything new beneath it, decided here.
//
// The decision is on identities (st_dev, st_ino), never on path strings: the supervisor finds
// the ancestors of a descriptor by walking ".." from it (ancestry()), which a concurrent rename
// cannot make it mistake for another place.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "inner/ancestry.hpp"
#include "inner/inner_spec.hpp"
#include "util/result.hpp"

namespace sbx {

struct GuardRule {
    FileId id;
    std::uint64_t access = 0;  // LANDLOCK_ACCESS_FS_*
};

// A LandlockRestrictedDir as the guard sees it: by identity, and with the identities of its
// entries that are or lead to a hole, taken before the command starts.
struct GuardRestricted {
    FileId id;
    std::uint64_t want = 0;
    std::vector<std::string> towards;  // names, lower-cased (see entry_rights)
    std::vector<FileId> towards_ids;   // of those that exist
    bool dot_names = false;            // LandlockRestrictedDir::dot_names
};

class MetadataGuard {
public:
    MetadataGuard() = default;
    explicit MetadataGuard(std::vector<GuardRule> rules,
                           std::vector<GuardRestricted> restricted = {});

    // The rules of a compiled spec, identified through their descriptors (fstat, once), and the
    // directories whose entry changes sbxrun performs (fstat and fstatat of their entries).
    [[nodiscard]] static Result<MetadataGuard> from_spec(
        const LandlockSpec& spec, const std::vector<LandlockRestrictedDir>& restricted = {});

    // The writable roots themselves keep their own mode, owner, times and xattrs: a root is
    // also an entry of the directory it sits in, outside the roots (${tmpdir} = /tmp as root:
    // chmod 0777 /tmp dropped the host's sticky bit, found by an outside review).
    // What may still be done to a root is inner/metadata_perform.hpp's top_change.
    void keep_roots_as_they_are(std::vector<FileId> roots) { roots_ = std::move(roots); }
    [[nodiscard]] bool is_root(const FileId& id) const;
    // Objects whose metadata never changes, whatever the rules grant: the files the caller
    // handed over to be written (LandlockCompiled::handed_over).
    void keep_as_they_are(std::vector<FileId> ids) { unchanged_ = std::move(ids); }

    // `chain`: the object first, then each ancestor directory up to "/". `mode`: its st_mode.
    // `names`: see policy_rights.
    [[nodiscard]] bool may_change(const std::vector<FileId>& chain, mode_t mode,
                                  const std::vector<std::string>* names = nullptr) const;

    // What Landlock itself grants the object of `chain`: the union of the rules on it and on
    // its ancestors.
    [[nodiscard]] std::uint64_t native_rights(const std::vector<FileId>& chain) const;

    // What the policy grants it: the native rights, and for an object that is new beneath a
    // restricted directory (no rule on it or on any directory between them, and not reached
    // through an entry that leads to a hole) also what that directory's walk wanted.
    // `names` (ancestry()'s, for the run's decisions): the entry of the restricted directory on
    // the way is judged by its name too. An identity the guard never saw at a hole's name was
    // put there by the host during the run (an editor's rename over a protected file, a denied
    // directory made anew): it is the hole all the same (thirty-ninth review: sbxrun opened
    // such a file for writing, and reading, for the command). Given but empty (no name known):
    // nothing gets a walk's rights.
    [[nodiscard]] std::uint64_t policy_rights(
        const std::vector<FileId>& chain, const std::vector<std::string>* names = nullptr) const;

    // What the policy grants for creating, removing or renaming the entry `name` of the
    // directory `dir_chain` (the directory first): policy_rights of the directory, and when it
    // is itself restricted and `name` is not one of its entries towards a hole, the walk's
    // rights. Names are compared without case: a case-folding directory (ext4 +F) would give
    // ".GIT" to a host program that opens ".git". In a writable HOME's top (dot_names) a new
    // dot-name gets the directory's own rights only.
    // `dir_names`: see policy_rights.
    [[nodiscard]] std::uint64_t entry_rights(
        const std::vector<FileId>& dir_chain, std::string_view name,
        const std::vector<std::string>* dir_names = nullptr) const;

private:
    const GuardRestricted* restricted(const FileId& id) const;
    bool has_rule(const FileId& id) const { return rules_.count(id) != 0; }

    std::unordered_map<FileId, std::uint64_t, FileIdHash> rules_;
    std::vector<GuardRestricted> restricted_;
    std::vector<FileId> roots_;
    std::vector<FileId> unchanged_;
};

}  // namespace sbx
