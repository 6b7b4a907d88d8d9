// Ending every process of a Landlock run when the command has ended (issue 11, escape 5).
//
// Under Landlock there is no pid namespace whose init takes everything with it, and killing
// children one /proc scan at a time can be outrun by a fork chain (each process forks and exits
// before the scan reaches it). So the run gets one of two mechanisms, chosen before the fork:
//   cgroup_kill    a fresh cgroup v2 below sbxrun's own (root, or a delegated cgroup the user
//                  may write to). The forked child joins it before exec (write_join: one write to
//                  a cgroup.procs descriptor opened here); at the end `cgroup.kill` kills every
//                  process in it atomically (the kernel refuses forks that race with it), and the
//                  directory is removed once it is empty.
//   stop_and_kill  without a writable cgroup: sbxrun is the child subreaper, so every orphan of
//                  the run stays in its subtree. Each /proc scan SIGSTOPs every descendant still
//                  running; once two scans in a row see the same descendants, all stopped, none
//                  of them can fork any more and all are SIGKILLed. A stopped process cannot
//                  fork, so the chain cannot outrun it (see SECURITY.md for what is left).
#pragma once

#include <string>

#include "util/unique_fd.hpp"

namespace sbx {

enum class TeardownMethod { cgroup_kill, stop_and_kill };

class Teardown {
public:
    // Never fails: without a usable cgroup it is stop_and_kill. The caller must be the child
    // subreaper for the run before the command starts (both methods reap what they kill).
    [[nodiscard]] static Teardown prepare();

    [[nodiscard]] TeardownMethod method() const { return method_; }
    // cgroup_kill: the run's cgroup directory; stop_and_kill: why no cgroup could be had.
    [[nodiscard]] const std::string& detail() const { return detail_; }
    // The cgroup.procs descriptor the child writes to (-1 for stop_and_kill): keep it open in
    // the child; it is close-on-exec.
    [[nodiscard]] int join_fd() const { return procs_.get(); }

    // In the forked child, before exec: move the calling process into the run's cgroup.
    // Async-signal-safe; returns 0 or an errno value.
    [[nodiscard]] int write_join() const noexcept;
    // cgroup_kill: the run's cgroup directory, to start the child in it (clone3's
    // CLONE_INTO_CGROUP: no migration, which write_join pays for with an RCU grace period,
    // 7-17 ms here); -1 for stop_and_kill.
    [[nodiscard]] int cgroup_fd() const {
        return method_ == TeardownMethod::cgroup_kill ? dir_.get() : -1;
    }

    // Kill and reap every process of the run (descendants of the caller), then remove the
    // cgroup. Call once, after the command itself has been waited for.
    void end_all() noexcept;

    Teardown() = default;
    Teardown(Teardown&&) noexcept = default;
    Teardown& operator=(Teardown&&) noexcept = default;
    ~Teardown();

private:
    TeardownMethod method_ = TeardownMethod::stop_and_kill;
    UniqueFd parent_;  // the directory of sbxrun's own cgroup
    UniqueFd dir_;     // the run's cgroup
    UniqueFd procs_;   // its cgroup.procs, open for writing
    std::string name_;
    std::string detail_;
};

// For --doctor: which mechanism a run would get here, for the calling user, with the reason.
// Creates (and removes) a cgroup to find out.
[[nodiscard]] std::string describe_teardown_here();

}  // namespace sbx
