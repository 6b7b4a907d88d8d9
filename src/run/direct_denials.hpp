// The connections half of the denial report that no proxy and no name lookup shows (issue 15):
// under bwrap with network.mode "none" or "allowlist", the connections and datagrams the
// command sent to addresses its network namespace has no route to (inner/net_observe.hpp), for
// the status document's denials.network (op "connect" or "send") and one line on stderr.
#pragma once

#include <string>

#include "policy/policy.hpp"
#include "run/outcome.hpp"
#include "run/spawn.hpp"

namespace sbx {

// Move the network refusals of e.refusals (RefusedOp::connect, ::send) into o.direct_denials,
// each with its `why` under `mode`. add_fs_denials leaves them out.
void add_direct_denials(Outcome& o, const SandboxExit& e, NetworkMode mode);

// The line sbxrun says after such a run (empty when none):
//   refused 3 connections or datagrams to addresses: 1.2.3.4:443, [2001:db8::1]:80
//   (network.mode = "none")
[[nodiscard]] std::string direct_denial_summary(const Outcome& o);

}  // namespace sbx
