// Ending what a command left behind: as a child subreaper (PR_SET_CHILD_SUBREAPER), the
// process that ran the command becomes the parent of every orphan in its tree (a daemonised
// `sleep &`, a double fork + setsid), and kills them once the command has ended.
//
// Shared by sbxrun-inner (the command's parent inside bwrap) and by sbxrun itself (the
// command's parent under the Landlock backend, which has no pid namespace to do it).
#pragma once

namespace sbx {

// Kill (SIGKILL) and reap every process whose parent is the caller, until none is left.
// A dying process may still fork, so it loops; bounded, so a pathological tree cannot hang
// the caller. The caller must have no children of its own that it still wants.
void end_orphans() noexcept;

}  // namespace sbx
