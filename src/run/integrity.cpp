#include "run/integrity.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string_view>

#include "fs/path.hpp"
#include "util/open_no_symlinks.hpp"
#include "util/unique_fd.hpp"

namespace sbx {
namespace {

// The directory holding a link, opened without following any symlink on the way (pinned and
// watched links have canonical parents; O_NOFOLLOW alone guarded only the last component), or
// an invalid fd.
UniqueFd open_parent(const std::string& link) {
    return open_no_symlinks(AT_FDCWD, path_parent(link).c_str(), O_PATH | O_DIRECTORY);
}

bool read_link_at(int dirfd, const std::string& name, std::string& out) {
    char buf[PATH_MAX];
    ssize_t n = ::readlinkat(dirfd, name.c_str(), buf, sizeof buf);
    if (n < 0 || n == static_cast<ssize_t>(sizeof buf)) return false;
    out.assign(buf, static_cast<std::size_t>(n));
    return true;
}

}  // namespace

std::vector<LinkRecord> record_links(const MountPlan& plan) {
    std::vector<LinkRecord> out;
    for (const auto* list : {&plan.pins, &plan.watched}) {
        for (const Pin& pin : *list) {
            UniqueFd parent = open_parent(pin.link);
            struct stat st {};
            if (!parent || ::fstat(parent.get(), &st) != 0) continue;
            out.push_back(LinkRecord{pin.link, pin.link_text, st.st_dev, st.st_ino});
        }
    }
    return out;
}

IntegrityReport check_and_restore(const std::vector<LinkRecord>& links) {
    IntegrityReport report;
    for (const auto& rec : links) {
        UniqueFd parent = open_parent(rec.path);
        struct stat pst {};
        if (!parent || ::fstat(parent.get(), &pst) != 0 || pst.st_dev != rec.parent_dev ||
            pst.st_ino != rec.parent_ino) {
            report.add(path_parent(rec.path), path_parent(rec.path) +
                                                  " (holding the protected link " + rec.path +
                                                  ") was replaced; not restored");
            continue;
        }
        const std::string name = path_base_name(rec.path);
        std::string now;
        if (read_link_at(parent.get(), name, now) && now == rec.text) continue;

        struct stat st {};
        bool present = ::fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
        std::string what = !present              ? "was removed"
                           : S_ISLNK(st.st_mode) ? "now points to '" + now + "'"
                                                 : "was replaced by something that is not a link";
        report.add(rec.path, rec.path + " -> " + rec.text + " " + what);

        // Build the link under a temporary name, then rename it over whatever is there.
        std::string tmp = "." + name + ".sbxrun-restore." + std::to_string(::getpid());
        ::unlinkat(parent.get(), tmp.c_str(), 0);
        if (::symlinkat(rec.text.c_str(), parent.get(), tmp.c_str()) != 0) continue;
        if (present && !S_ISLNK(st.st_mode)) {
            // A directory or file in its place: keep it, out of the way, for the user to see.
            std::string aside = name + ".sbxrun-replaced." + std::to_string(::getpid());
            if (::renameat2(parent.get(), name.c_str(), parent.get(), aside.c_str(),
                            RENAME_NOREPLACE) != 0) {
                ::unlinkat(parent.get(), tmp.c_str(), 0);
                continue;
            }
            report.restored.push_back(rec.path + " (what stood there is now " +
                                      path_join(path_parent(rec.path), aside) + ")");
        } else {
            report.restored.push_back(rec.path);
        }
        if (::renameat(parent.get(), tmp.c_str(), parent.get(), name.c_str()) != 0) {
            ::unlinkat(parent.get(), tmp.c_str(), 0);
            report.restored.pop_back();
        }
    }
    return report;
}

namespace {

// The two halves of host_changes_during_run (integrity.hpp says what each finds).
void appeared_during_run(const MountPlan& plan, bool mounts, std::vector<std::string>& out) {
    for (const MountOp& op : plan.ops) {
        if (op.kind != OpKind::block_missing) continue;
        struct stat st {};
        if (::lstat(op.dest.c_str(), &st) != 0) continue;
        out.push_back(op.dest +
                      " was made during the run by something outside the sandbox (it was "
                      "missing, and kept from being made inside); the command " +
                      (mounts ? "could " : "may have been able to ") +
                      (op.rule.list() == "filesystem.deny" ? "read and write it" : "write in it") +
                      " from then on");
    }
    for (const std::string& path : plan.denied_missing) {
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0) continue;
        out.push_back(path +
                      " was made during the run by something outside the sandbox (denied, it was "
                      "missing at the start); the command could read it from then on");
    }
}

void replaced_during_run(const MountPlan& plan, bool mounts, std::vector<std::string>& out) {
    // The writable roots, once: a plan of 10,000 protected paths has a handful of them.
    std::vector<std::string_view> roots;
    for (const MountOp& op : plan.ops)
        if (op.kind == OpKind::bind_rw) roots.push_back(op.dest);
    for (const MountOp& op : plan.ops) {
        const bool hidden = op.kind == OpKind::hide_dir || op.kind == OpKind::hide_file;
        if (!hidden && op.kind != OpKind::bind_ro) continue;
        // Read-only outside the writable roots stays so: what the host puts there is beneath a
        // read-only mount all the same.
        if (!hidden && std::none_of(roots.begin(), roots.end(), [&](std::string_view r) {
                return r != op.dest && path_is_within(op.dest, r);
            }))
            continue;
        struct stat st {};
        const bool gone = ::lstat(op.dest.c_str(), &st) != 0;
        if (!gone && st.st_dev == op.dev && st.st_ino == op.ino) continue;
        const std::string what = hidden ? "read" : "write";
        out.push_back(op.dest + " was " + (gone ? "removed" : "replaced") +
                      " on the host during the run (" + (hidden ? "hidden by " : "read-only by ") +
                      op.rule.list() + " \"" + op.rule.text() + "\"): " +
                      (mounts ? "the sandbox's mount over it went with it, and the command could " +
                                    what + " what took its place from then on"
                              : "what took its place kept the rights it had in the sandbox "
                                "before, so the command may have been able to " +
                                    what + " it from then on"));
    }
}

}  // namespace

std::vector<std::string> host_changes_during_run(const MountPlan& plan, bool mounts) {
    std::vector<std::string> out;
    appeared_during_run(plan, mounts, out);
    replaced_during_run(plan, mounts, out);
    return out;
}

}  // namespace sbx
