// sbxrun as a function: argv in, exit code out. The only layer that prints diagnostics.
#pragma once

namespace sbx {

[[nodiscard]] int run_app(int argc, char** argv, char** envp);

}  // namespace sbx
