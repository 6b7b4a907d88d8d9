// Dropping every capability before exec (spec: effective, permitted, inheritable, ambient and
// bounding sets empty, even when the caller is root).
#pragma once

#include "util/result.hpp"

namespace sbx {

// The highest capability number the running kernel knows (/proc/sys/kernel/cap_last_cap;
// CAP_LAST_CAP of our headers when /proc is not readable).
[[nodiscard]] int kernel_cap_last_cap();

// PR_CAPBSET_DROP for every capability up to kernel_cap_last_cap() (needs CAP_SETPCAP while any
// remains in the bounding set), clear the ambient set, then capset() all three sets to empty,
// and verify with capget(). The bounding set matters for uid 0: execve() as root would
// otherwise grant the full permitted set again. A caller whose permitted set is already empty
// (unprivileged, no user namespace: the Landlock backend) keeps its bounding set, which it
// cannot drop; the caller must set no_new_privs before exec so that it stays unusable.
[[nodiscard]] Status drop_all_capabilities();

}  // namespace sbx
