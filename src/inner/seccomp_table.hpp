// The seccomp programs generated when sbxrun is built (seccomp_gen.cpp, from the rules in
// seccomp_build.cpp), indexed by what a run asks for. The table's source is written by the
// build; this header is how both sides agree on its shape.
#pragma once

#include <linux/filter.h>

#include <cstddef>
#include <span>

#include "inner/inner_spec.hpp"

namespace sbx::seccomp_table {

// Every profile, in the order of the table.
inline constexpr SeccompProfile kProfiles[] = {
    SeccompProfile::none,  SeccompProfile::base,     SeccompProfile::no_network,
    SeccompProfile::netns, SeccompProfile::tcp_only, SeccompProfile::no_network_observed};
inline constexpr std::size_t kCommandPrograms = std::size(kProfiles) * 8;

constexpr std::size_t command_index(SeccompProfile profile, bool refuse_unix_sockets, bool host_ipc,
                                    bool broker_parent) {
    std::size_t p = 0;
    while (p < std::size(kProfiles) && kProfiles[p] != profile) ++p;
    return p * 8 + (refuse_unix_sockets ? 4 : 0) + (host_ipc ? 2 : 0) + (broker_parent ? 1 : 0);
}

// Defined in the generated seccomp_programs.cpp. An index out of range gives an empty span.
[[nodiscard]] std::span<const sock_filter> command(std::size_t index);
[[nodiscard]] std::span<const sock_filter> compensation(bool refuse_truncate,
                                                        bool refuse_unix_socket);

}  // namespace sbx::seccomp_table
