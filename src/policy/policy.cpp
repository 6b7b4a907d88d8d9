#include "policy/policy.hpp"

namespace sbx {

// These names are the policy's own spelling of each value: the validator accepts exactly them
// and the serialisers write them, so one table serves both directions.
const char* to_string(SymlinkMode m) {
    switch (m) {
        case SymlinkMode::pin:
            return "pin";
        case SymlinkMode::escalate:
            return "escalate";
        case SymlinkMode::follow:
            return "follow";
    }
    return "pin";
}

const char* to_string(MissingProtected m) {
    switch (m) {
        case MissingProtected::block:
            return "block";
        case MissingProtected::ignore:
            return "ignore";
    }
    return "block";
}

const char* to_string(GitMode m) {
    switch (m) {
        case GitMode::protect:
            return "protect";
        case GitMode::commit:
            return "commit";
    }
    return "protect";
}

const char* to_string(CacheScope s) {
    switch (s) {
        case CacheScope::workspace:
            return "workspace";
        case CacheScope::user:
            return "user";
    }
    return "?";
}

const char* to_string(NetworkMode m) {
    switch (m) {
        case NetworkMode::none:
            return "none";
        case NetworkMode::full:
            return "full";
        case NetworkMode::allowlist:
            return "allowlist";
    }
    return "none";
}

const char* to_string(UnixSockets u) {
    switch (u) {
        case UnixSockets::allow:
            return "allow";
        case UnixSockets::block:
            return "block";
    }
    return "block";
}

Setting<UnixSockets> effective_unix_sockets(const NetworkPolicy& network) {
    if (network.unix_sockets) return *network.unix_sockets;
    // "full" means no network isolation at all (bwrap shares the host's network namespace, so
    // abstract sockets and loopback TCP are reachable anyway): refusing pathname sockets too
    // would only break programs, so the value follows the choice that made it moot.
    if (network.mode.value == NetworkMode::full) {
        Origin o = network.mode.origin;
        if (o.key.empty()) o.key = "network.mode";
        return {UnixSockets::allow, std::move(o)};
    }
    return {UnixSockets::block, Origin{{}, 0, "network.unix_sockets"}};
}

const char* to_string(BackendKind b) {
    switch (b) {
        case BackendKind::bwrap:
            return "bwrap";
        case BackendKind::landlock:
            return "landlock";
    }
    return "bwrap";
}

const char* to_string(OnUnenforceable o) {
    switch (o) {
        case OnUnenforceable::approximate:
            return "approximate";
        case OnUnenforceable::escalate:
            return "escalate";
        case OnUnenforceable::weaken:
            return "weaken";
    }
    return "approximate";
}

const std::string* ExpandContext::env_var(std::string_view name) const {
    const std::string* found = nullptr;
    for (const auto& [k, v] : env)
        if (k == name) found = &v;
    return found;
}

}  // namespace sbx
