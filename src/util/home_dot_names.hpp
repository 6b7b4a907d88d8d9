// Which names a writable HOME's top keeps from being made (plan/home_dotfiles.hpp): every name
// starting with a dot. Shared by the plan, sbxrun-inner's entry broker and the Landlock
// backend's answers to entry calls, which each decide on a name alone.
//
// No exception, not even the shells' histories: a history made by the command is whatever it
// makes it, and the twenty-second outside review made ~/.bash_history a link to ~/.bashrc (the
// host's next bash appended what the user typed to it, to be run at the next start) and
// ~/.zsh_history a FIFO (the host's next zsh hung). Commands an agent runs are not
// interactive and keep no history.
#pragma once

#include <string_view>

namespace sbx {

[[nodiscard]] inline bool home_dot_name_blocked(std::string_view name) {
    return name.size() >= 2 && name[0] == '.' && name != "..";
}

}  // namespace sbx
