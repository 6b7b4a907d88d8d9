// HOME's dot-entries, every one: where HOME is, or lies in, a writable root.
#pragma once

#include <vector>

#include "plan/draft.hpp"
#include "plan/protect.hpp"

namespace sbx::planning {

// With @agent-config in `protect`: every existing entry at the top of HOME and of the passwd
// home whose name starts with a dot is protected like a name of the set, when a writable root
// holds that home or is it; but for the set's own names (protected already, some in their own
// way: .git) and an entry a writable root of its own is or lies
// in below the home (`write = ["~", "~/.cache"]`: the policy asked for it). A home with more
// than kMaxHomeDotEntries of them is refused (122): a run could make thousands to hide one.
[[nodiscard]] Status protect_home_dotfiles(Draft& d, Protector& protector,
                                           const std::vector<PathRule>& protect);

inline constexpr std::size_t kMaxHomeDotEntries = 1024;

}  // namespace sbx::planning
