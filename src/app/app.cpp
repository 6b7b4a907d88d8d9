// The spine: argv -> invocation -> policy -> plan -> backend -> outcome -> exit code.
//
// This is the one place that prints diagnostics (prefixed "sbxrun:") and the one place that
// turns an Error into an exit code; every stage below returns values.
#include "app/app.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "app/backend_run.hpp"
#include "app/caches.hpp"
#include "app/context.hpp"
#include "app/doctor.hpp"
#include "app/explain.hpp"
#include "app/own_files.hpp"
#include "app/status_sink.hpp"
#include "cli/cli.hpp"
#include "config.h"
#include "fs/path.hpp"
#include "fs/real_path.hpp"
#include "plan/make_plan.hpp"
#include "policy/import.hpp"
#include "policy/load.hpp"
#include "policy/trust.hpp"
#include "run/direct_denials.hpp"
#include "run/exit_outcome.hpp"
#include "run/fs_denials.hpp"
#include "run/git_integrity.hpp"
#include "run/integrity.hpp"
#include "run/outcome.hpp"
#include "run/suggestion.hpp"
#include "util/printable.hpp"
#include "util/timeline.hpp"

namespace sbx {
namespace {

// Escaping is done here, once, for everything sbxrun says on stderr: the text handed in is as
// it is (paths and names the command chose included), and escaping it on the way as well once
// showed a backslash as \x5cx5cx5c (the thirty-third review).
class Diagnostics {
public:
    explicit Diagnostics(int verbosity) : verbosity_(verbosity) {}
    // An error's paragraph: lines already made printable (paragraph(), or printable() of one).
    void error(const std::string& safe_lines) const { say(safe_lines); }
    // One line each: a newline in a path the message quotes is shown as \n, not obeyed.
    void warn(const std::string& msg) const {
        if (verbosity_ >= 0) say("warning: " + printable(msg));
    }
    void note(const std::string& msg) const {
        if (verbosity_ >= 0) say(printable(msg));
    }
    void info(const std::string& msg) const {
        if (verbosity_ > 0) say(printable(msg));
    }
    void set_verbosity(int v) { verbosity_ = v; }

private:
    // No line longer than kMaxLine: a policy with thousands of rules once produced a 2 MB
    // warning. The status document carries the whole text (reason, fallback, approximated).
    // `msg` is printable already; its line breaks are the paragraph's own.
    static constexpr std::size_t kMaxLine = 400;
    static void say(const std::string& msg) {
        std::string out;
        std::size_t begin = 0;
        while (begin <= msg.size()) {
            std::size_t end = msg.find('\n', begin);
            if (end == std::string::npos) end = msg.size();
            std::string_view line(msg.data() + begin, end - begin);
            if (!out.empty()) out += '\n';
            if (line.size() <= kMaxLine) {
                out += line;
            } else {
                std::size_t cut = kMaxLine - 100;
                // Not in the middle of a UTF-8 sequence.
                while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
                out += line.substr(0, cut);
                out += "... (" + std::to_string(line.size() - cut) +
                       " more bytes; the status document has the whole text)";
            }
            begin = end + 1;
        }
        std::fprintf(stderr, "sbxrun: %s\n", out.c_str());
    }
    int verbosity_;
};

void print_stdout(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

// One paragraph: what went wrong, where, and what to do about it.
// The parts are made printable before they are put on lines of their own, so that a newline
// in a path the error names cannot start a line that looks like sbxrun's.
std::string paragraph(const Error& e) {
    std::string s = printable(e.render());
    // The rules sbxrun adds name themselves "sbxrun: ..." (for --explain); the diagnostic has
    // that prefix already.
    if (s.starts_with("sbxrun: ")) s.erase(0, 8);
    for (const auto& line : e.details) s += "\n  " + printable(line);
    if (!e.suggestion.empty()) s += "\n  suggestion: " + printable(e.suggestion);
    return s;
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& line : lines) s += (s.empty() ? "" : "; ") + line;
    return s;
}

std::vector<BackendKind> backend_order(const Invocation& inv, const Policy& policy) {
    switch (inv.backend) {
        case BackendChoice::bwrap:
            return {BackendKind::bwrap};
        case BackendChoice::landlock:
            return {BackendKind::landlock};
        case BackendChoice::automatic:
            break;
    }
    return policy.backend.order;
}

class App {
public:
    App() : start_(std::chrono::steady_clock::now()) {}

    int run(int argc, char** argv, char** envp) {
        auto inv = parse_command_line(argc, argv);
        timeline::mark("command line parsed");
        if (!inv.ok()) {
            diag_.error(paragraph(inv.error()));
            return exit_code_for(OutcomeKind::usage_error);
        }
        diag_.set_verbosity(inv->verbosity);
        if (inv->action == Action::help) {
            print_stdout(help_text());
            return 0;
        }
        if (inv->action == Action::version) {
            print_stdout("sbxrun " SBXRUN_VERSION "\n");
            return 0;
        }
        auto sink = StatusSink::open(*inv);
        if (!sink.ok()) {
            diag_.error(paragraph(sink.error()));
            return exit_code_for(OutcomeKind::usage_error);
        }
        sink_ = std::move(sink).value();
        return with_invocation(*inv, envp);
    }

private:
    int finish(Outcome o) {
        o.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - start_)
                            .count();
        if (auto w = sink_.write(o); !w.ok()) diag_.warn(w.error().render());
        timeline::mark("status written");
        timeline::flush(STDERR_FILENO);
        return o.exit_code;
    }

    int fail(const Error& e, const std::string& backend = {}) {
        diag_.error(paragraph(e));
        Outcome o = outcome_from_error(e);
        o.backend = backend;
        o.fallback = fallback_;
        return finish(std::move(o));
    }

    int with_invocation(const Invocation& inv, char** envp) {
        auto host = host_context(inv, envp);
        if (!host.ok()) return fail(host.error());
        host->nofile_soft = raise_nofile_limit();
        timeline::mark("host context read");

        if (inv.action == Action::trust_policy) return trust_policy(inv, *host);

        std::vector<std::string> files = inv.policy_files;
        std::optional<std::string> workspace_policy;  // discovered: applied only when trusted
        if (files.empty() && !inv.import) {
            if (auto found = discover_policy(host->expand)) {
                if (found->source == PolicySource::workspace) {
                    workspace_policy = found->path;
                } else {
                    files.push_back(found->path);
                }
            }
        }
        auto policy = inv.import ? load_imported(inv, host->expand)
                      : workspace_policy
                          ? load_workspace_policy(*workspace_policy, trust_store_dir(host->expand),
                                                  host->expand)
                          : load_policy_files(files, host->expand);
        if (!policy.ok()) return fail(policy.error());
        timeline::mark("policy loaded");

        if (inv.action == Action::print_policy) {
            print_stdout(inv.explain_format == ExplainFormat::json ? policy_to_json(*policy)
                                                                   : policy_to_toml(*policy));
            return 0;
        }
        if (inv.action == Action::doctor) return run_doctor(inv, *host, *policy);
        // The private caches are made by a run, only looked at by --explain and --check.
        const bool dry = inv.action == Action::explain || inv.action == Action::check;
        const CacheSetup caches = prepare_caches(policy->filesystem, *host, !dry);
        if (!dry && !caches.unavailable.empty()) {
            const std::string why = "filesystem.caches: " + caches.unavailable +
                                    "; the tools get no writable cache in this run";
            if (caches.no_home)
                diag_.info(why);
            else
                diag_.warn(why);
        }
        timeline::mark("caches prepared");
        PlanOptions plan_options;
        // The --import file is as much a policy file of the run as a --policy file: the next
        // run with the same command line reads it (fourteenth review: a command rewrote a
        // Codex config.toml to danger-full-access).
        std::vector<std::string> read_files = files;
        if (!import_file_.empty()) read_files.push_back(import_file_);
        plan_options.extra_protect =
            sbxrun_protections(*policy, read_files, inv.status_file, *host);
        plan_options.private_roots = cache_roots(caches);
        for (auto& rule : cache_protections(caches, policy->filesystem, *host))
            plan_options.extra_protect.push_back(std::move(rule));
        plan_options.workspace_dir = host->expand.workspace;
        // The homes as written (the plan takes them as the kernel does, and keeps the links a
        // ".." goes back through: nineteenth outside review). A relative HOME is where the
        // command's programs look from its starting directory, as git does with a relative
        // XDG_CONFIG_HOME: that place is the command's HOME to protect (nineteenth review:
        // HOME=. left ./.bashrc writable).
        const std::string* home_env = host->expand.env_var("HOME");
        if (home_env != nullptr && !home_env->empty())
            plan_options.home_dir =
                (*home_env)[0] == '/' ? *home_env : host->command_cwd + "/" + *home_env;
        else
            plan_options.home_dir = host->expand.home;
        if (const passwd* pw = ::getpwuid(::getuid());
            pw != nullptr && pw->pw_dir != nullptr && pw->pw_dir[0] == '/') {
            plan_options.passwd_home_dir = pw->pw_dir;
            if (home_env == nullptr || home_env->empty()) plan_options.home_dir = pw->pw_dir;
        }
        // The XDG base directories the host's git, shells and sbxrun itself read, as written
        // (twenty-first review: XDG_CONFIG_HOME=ws/m/../cfg with ws/m missing; the command
        // made ws/m a link and planted git's and sbxrun's configuration where it then led).
        for (const char* name : {"XDG_CONFIG_HOME", "XDG_CACHE_HOME"}) {
            const std::string* v = host->expand.env_var(name);
            if (v == nullptr || v->empty()) continue;
            plan_options.env_dirs.push_back((*v)[0] == '/' ? *v : host->command_cwd + "/" + *v);
        }
        // The host's git configuration, as git in this environment and in the user's next
        // shell would read it (plan/host_git_config.hpp).
        plan_options.host_git =
            host_git_config([&](std::string_view name) { return host->expand.env_var(name); },
                            plan_options.home_dir, plan_options.passwd_home_dir, host->command_cwd);
        // A git template directory in a writable root would let the command choose the hooks
        // (and config) the host's next git init or clone installs, and runs (post-checkout):
        // what git copies from it is protected like sbxrun's own files, present or not (review
        // 50's template hooks). Only those entries, not the directory: a template set to $HOME
        // or "/" must not make it read-only.
        plan_options.git_template_dirs =
            host_template_dirs(plan_options.host_git, plan_options.home_dir,
                               {host->command_cwd, host->expand.workspace});
        for (const auto& dir : plan_options.git_template_dirs) {
            // What makes git run code in a repository (plan/protect.hpp's git_code_entries):
            // git copies a template's commondir too (review 53: the host's next git init then
            // took its config and hooks from a planted git directory), and its modules/, whose
            // git directories a clone with submodules reuses (review 54).
            for (const char* entry : {"hooks", "config", "config.worktree", "info", "commondir",
                                      "gitdir", "modules", "worktrees", "remotes", "branches"}) {
                PathRule r;
                r.text = path_join(dir, entry);
                r.path = normalize_path(r.text);
                r.origin = Origin{"", 0,
                                  "sbxrun: a git template directory (init.templateDir, "
                                  "$GIT_TEMPLATE_DIR): git init and clone copy its hooks"};
                plan_options.extra_protect.push_back(std::move(r));
            }
        }
        auto plan = make_plan(*policy, plan_options);
        if (!plan.ok()) return fail(plan.error());
        timeline::mark("plan made");
        if (inv.action != Action::explain) {
            for (const auto& w : plan->warnings) diag_.warn(w);
            // -C moves the command, not the workspace (a harness that passes its project as
            // -C from its own directory meant otherwise: twenty-eighth review).
            if (inv.cwd && !path_is_within(host->command_cwd, host->expand.workspace) &&
                !path_is_within(host->command_cwd, host->expand.tmpdir))
                diag_.warn("the command starts in " + host->command_cwd +
                           ", outside the workspace " + host->expand.workspace + " (" +
                           host->workspace_source +
                           "): run sbxrun from there, or pass --workspace, for it to be writable");
            warn_if_tmpdir_hidden(*plan, host->expand.tmpdir);
        }

        RunContext ctx{inv, *host, *policy, *plan, caches, {}};
        if (inv.action == Action::explain || inv.action == Action::check) {
            return explain_or_check(inv, ctx);
        }
        return run_command(inv, ctx);
    }

    // `deny = ["${tmpdir}"]` (or a directory above it) is the user's choice and safe, but every
    // mktemp of the command then fails with EACCES and nothing says why (thirty-seventh
    // review, Low): say it once, before the run.
    void warn_if_tmpdir_hidden(const MountPlan& plan, const std::string& tmpdir) {
        if (tmpdir.empty()) return;
        const std::string real = resolved_path(tmpdir);
        for (const MountOp& op : plan.ops) {
            if (op.kind != OpKind::hide_dir && op.kind != OpKind::hide_file) continue;
            if (!path_is_within(real, op.dest)) continue;
            diag_.warn("the temporary directory " + tmpdir + " is hidden by " + op.rule.list() +
                       " \"" + op.rule.text() +
                       "\": the command's temporary files cannot be made "
                       "there; set TMPDIR to a writable directory");
            return;
        }
    }

    // --trust-policy: validate the file, then store a copy of exactly the bytes validated.
    int trust_policy(const Invocation& inv, const HostContext& host) {
        const std::string path = inv.trust_policy
                                     ? path_join(host.cwd, *inv.trust_policy)
                                     : path_join(host.expand.workspace, kWorkspacePolicyName);
        if (path_base_name(path) != kWorkspacePolicyName) {
            return fail(Error(ErrorKind::usage,
                              "--trust-policy: only a workspace's .sbxrun.toml needs trusting, "
                              "got '" +
                                  path + "'")
                            .with_path(path));
        }
        const std::string store = trust_store_dir(host.expand);
        if (store.empty()) {
            return fail(
                Error(ErrorKind::usage, "--trust-policy: no home directory, so no trust store"));
        }
        // The bytes validated, the bytes stored and the key they are stored under all come
        // through one descriptor of the file's directory.
        auto candidate = read_trust_candidate(path);
        if (!candidate.ok()) return fail(candidate.error());
        const std::string& text = candidate->text;
        const std::string& key = candidate->key;
        auto policy = apply_policy_text(default_policy(host.expand), text, path, host.expand);
        if (!policy.ok()) return fail(policy.error());
        auto entry = store_trusted_copy(store, key, text);
        if (!entry.ok()) return fail(entry.error());
        diag_.note("trusted " + key + " (" + std::to_string(text.size()) + " bytes, copy in " +
                   *entry + "); it applies while its content stays the same");
        return 0;
    }

    // --import: the converted file is the base (no discovery), --policy files apply on top,
    // then what the import could not enforce follows the effective backend.on_unenforceable.
    Result<Policy> load_imported(const Invocation& inv, const ExpandContext& expand) {
        auto imported = import_policy_file(*inv.import, expand);
        if (!imported.ok()) return std::move(imported).error();
        import_file_ = imported->file;
        for (const auto& line : imported->assumed) diag_.info("import: assumed: " + line);
        for (const auto& line : imported->unmapped) diag_.warn("import: unmapped: " + line);
        auto policy = load_policy_files(imported->policy, inv.policy_files, expand);
        if (!policy.ok()) return policy;
        auto settled = settle_unenforceable(*policy, imported->unenforceable, imported->file);
        if (!settled.ok()) return std::move(settled).error();
        for (const auto& line : settled->approximated) diag_.warn("approximated: " + line);
        for (const auto& line : settled->weakened) diag_.warn("weakened: " + line);
        import_approximated_ = std::move(settled->approximated);
        import_weakened_ = std::move(settled->weakened);
        return policy;
    }

    int explain_or_check(const Invocation& inv, const RunContext& ctx) {
        ExplainInput in;
        in.plan = &ctx.plan;
        in.workspace = ctx.host.expand.workspace;
        in.workspace_source = ctx.host.workspace_source;
        in.unix_sockets = effective_unix_sockets(ctx.policy.network);
        in.network = &ctx.policy.network;
        in.git = ctx.policy.filesystem.git;
        in.caches = &ctx.caches;
        for (BackendKind b : backend_order(inv, ctx.policy)) {
            Preview p = backend_of(b).preview(ctx);
            if (!p.available) {
                if (p.why.kind == ErrorKind::resource) return fail(p.why, to_string(b));
                fallback_.push_back(std::string(to_string(b)) + ": " + p.why.render());
                continue;
            }
            in.backend = to_string(b);
            in.backend_argv = std::move(p.argv);
            in.backend_notes = std::move(p.notes);
            break;
        }
        in.fallback = fallback_;
        if (in.backend.empty()) in.backend = "none available";
        if (inv.action == Action::explain) {
            print_stdout(inv.explain_format == ExplainFormat::json ? explain_json(in)
                                                                   : explain_text(in));
            return 0;
        }
        // --check: problems only; silence means the policy resolves and a backend can run it.
        for (const auto& w : ctx.plan.warnings) diag_.warn(w);
        for (const auto& f : fallback_) diag_.warn("backend " + f);
        if (in.backend_argv.empty()) {
            return fail(Error(ErrorKind::no_backend, "no backend can run this policy here"));
        }
        return 0;
    }

    int run_command(const Invocation& inv, RunContext& ctx) {
        const std::vector<LinkRecord> links = record_links(ctx.plan);
        // Said before the command starts, so that its own output ends the run, not ours.
        BackendKind starting = BackendKind::bwrap;
        ctx.before_start = [this, &starting](const std::vector<std::string>& approximated,
                                             const std::vector<std::string>& weakened) {
            if (!fallback_.empty()) {
                diag_.warn("running under " + std::string(to_string(starting)) + "; " +
                           fallback_.front());
            }
            // One line each (the status document has the full list, one entry per loss).
            if (!approximated.empty()) diag_.warn("approximated: " + join_lines(approximated));
            if (!weakened.empty()) diag_.warn("weakened: " + join_lines(weakened));
        };
        // One pty for the run, made before any backend starts; a fallback reuses it.
        Pty pty;
        if (auto t = open_tty(inv); !t.ok()) {
            return fail(t.error());
        } else if (t->master) {
            pty = std::move(t).value();
            ctx.tty = tty_link(inv, pty);
        }
        for (BackendKind b : backend_order(inv, ctx.policy)) {
            starting = b;
            const GitWatch git_watched =
                git_watch(ctx.plan, b == BackendKind::bwrap, ctx.host.expand.workspace);
            timeline::mark("links recorded, git watched");
            Attempt a = backend_of(b).run(ctx);
            timeline::mark("backend returned (sandbox ended, placeholders removed)");
            if (!a.ran) {
                // A refusal to enforce is final: falling back would weaken the sandbox silently.
                // So is running out of descriptors or memory: the next backend needs as many,
                // and a quiet switch would hide the cause behind another backend's warnings.
                // And an internal error: sbxrun lost track of a run whose command may have
                // started (backend_run.cpp), which another backend must never run again.
                if (a.why.kind == ErrorKind::symlink_refused ||
                    a.why.kind == ErrorKind::unenforceable || a.why.kind == ErrorKind::resource ||
                    a.why.kind == ErrorKind::internal || a.why.kind == ErrorKind::usage) {
                    return fail(a.why, to_string(b));
                }
                fallback_.push_back(std::string(to_string(b)) + ": " + a.why.render());
                diag_.info("backend " + fallback_.back());
                continue;
            }
            Outcome o = outcome_from_exit(a.exit, inv.command.front());
            o.backend = to_string(b);
            o.approximated = import_approximated_;
            o.approximated.insert(o.approximated.end(), a.approximated.begin(),
                                  a.approximated.end());
            o.weakened = import_weakened_;
            o.weakened.insert(o.weakened.end(), a.weakened.begin(), a.weakened.end());
            o.fallback = fallback_;
            if (o.kind == OutcomeKind::not_found || o.kind == OutcomeKind::not_executable ||
                o.kind == OutcomeKind::timed_out) {
                diag_.error(printable(o.reason));
            }
            IntegrityReport integrity = check_and_restore(links);
            // A git directory planted for the host's next git (both modes: git_integrity.hpp).
            GitIntegrityReport git = check_git(git_watched);
            for (const auto& n : git.notes) diag_.warn(n);
            o.unchecked = git.notes;
            for (auto& n : host_changes_during_run(ctx.plan, b == BackendKind::bwrap)) {
                diag_.warn(n);
                o.unchecked.push_back(std::move(n));
            }
            integrity.changed.insert(integrity.changed.end(), git.changed.begin(),
                                     git.changed.end());
            integrity.paths.insert(integrity.paths.end(), git.paths.begin(), git.paths.end());
            integrity.restored.insert(integrity.restored.end(), git.restored.begin(),
                                      git.restored.end());
            if (!integrity.clean()) integrity_violation(o, integrity);
            timeline::mark("integrity checked");
            o.refused_lookups = std::move(a.lookups.names);
            o.lookups_dropped = a.lookups.dropped;
            o.proxy = std::move(a.proxy);
            o.proxy_url = o.proxy.url;
            add_fs_denials(o, a.exit, ctx.plan);
            if (!ctx.inv.command.empty())
                add_exec_denial(o, a.exit, ctx.plan, ctx.inv.command.front(), ctx.host.command_cwd);
            add_direct_denials(o, a.exit, ctx.plan.network);
            o.suggestion_policy = suggestion_policy(o, ctx.host.expand.home, ctx.policy, ctx.plan,
                                                    cache_places(ctx.caches, ctx.host));
            say_refused_lookups(o);
            say_refused_connections(o);
            if (std::string line = direct_denial_summary(o); !line.empty()) diag_.note(line);
            if (std::string line =
                    fs_denial_summary(o, ctx.host.expand.home,
                                      inv.status_fd.has_value() || inv.status_file.has_value());
                !line.empty())
                diag_.note(line);
            return finish(std::move(o));
        }
        Error none(ErrorKind::no_backend, "no sandbox backend can run here");
        none.details = fallback_;
        none.details.emplace_back("run 'sbxrun --doctor' for the cause and the fix");
        return fail(none);
    }

    // --tty: whether this run gets a pty (auto: stdin is a terminal, and sbxrun is its
    // foreground job: `sbxrun -- make &` keeps running in the background as it always did,
    // instead of being stopped by SIGTTOU for raw mode), opened like the caller's terminal when
    // there is one. An empty Pty: none.
    static Result<Pty> open_tty(const Invocation& inv) {
        const unsigned terms = terminal_std_fds();
        if (inv.tty == TtyMode::never) return Pty{};
        if (inv.tty == TtyMode::automatic &&
            ((terms & 1u) == 0 || ::tcgetpgrp(STDIN_FILENO) != ::getpgrp()))
            return Pty{};
        int like = -1;
        for (int fd = 0; fd <= 2 && like < 0; ++fd)
            if ((terms & (1u << fd)) != 0) like = fd;
        return open_pty(like);
    }

    // Which of the command's fds get the pty: every one that is a terminal here (so none of
    // the caller's terminal's descriptors is inside, and a pipe or file stays what it was), all
    // three with --tty always. The pty's output goes to stdout, or under auto to the first of
    // stdout, stderr, stdin that is a terminal (`sbxrun -- cmd >file` still shows its echo).
    static TtyLink tty_link(const Invocation& inv, const Pty& pty) {
        const unsigned terms = terminal_std_fds();
        TtyLink l;
        l.master = pty.master.get();
        l.slave = pty.slave.get();
        l.std_fds = inv.tty == TtyMode::always ? 7u : terms;
        l.in = STDIN_FILENO;
        l.out = STDOUT_FILENO;
        if (inv.tty == TtyMode::automatic && (terms & 2u) == 0)
            l.out = (terms & 4u) != 0 ? STDERR_FILENO : STDIN_FILENO;
        l.caller = (terms & 1u) != 0 ? STDIN_FILENO : -1;
        return l;
    }

    // The last line of a run whose command looked names up with the network off: why its
    // "could not resolve host" happened (-q hides it; the status document lists every name).
    void say_refused_lookups(const Outcome& o) const {
        const std::size_t total = o.refused_lookups.size() + o.lookups_dropped;
        if (total == 0) return;
        std::string names;
        constexpr std::size_t kShown = 3;
        for (std::size_t i = 0; i < o.refused_lookups.size() && i < kShown; ++i)
            names += (i == 0 ? "" : ", ") + o.refused_lookups[i];
        if (total > kShown) names += " and " + std::to_string(total - kShown) + " more";
        if (o.proxy.active) {
            diag_.note("the command looked up " + names +
                       " inside the sandbox, where names are not resolved (network.mode = "
                       "\"allowlist\": the proxy at " +
                       o.proxy_url + " resolves them): every lookup was answered \"no such name\"");
            return;
        }
        diag_.note("the command looked up " + names +
                   " but the policy has no network (network.mode = \"none\"): every lookup "
                   "was answered \"no such name\"");
    }

    // One line per destination the allowlist proxy refused, with how often (-q hides them; the
    // status document lists every one under denials.network).
    void say_refused_connections(const Outcome& o) const {
        constexpr std::size_t kShown = 10;
        const auto& refused = o.proxy.refused;
        for (std::size_t i = 0; i < refused.size() && i < kShown; ++i) {
            const auto& d = refused[i];
            std::string line = "network allowlist: " + d.why;
            if (d.count > 1) line += " (" + std::to_string(d.count) + " times)";
            diag_.note(line);
        }
        if (refused.size() > kShown)
            diag_.note("network allowlist: " + std::to_string(refused.size() - kShown) +
                       " more destinations refused (see the status document)");
    }

    // A protected link changed although the run is over: the command's own status is kept in
    // the reason, the exit code says 120 so no caller mistakes it for a clean run.
    void integrity_violation(Outcome& o, const IntegrityReport& r) {
        std::string was = o.reason.empty() ? "the command " + std::string(to_string(o.kind)) +
                                                 " with status " + std::to_string(o.exit_code)
                                           : o.reason;
        o.kind = OutcomeKind::integrity_violation;
        o.exit_code = exit_code_for(o.kind);
        o.reason = "sandbox integrity check: " + join_lines(r.changed) +
                   (r.restored.empty() ? "" : "; restored: " + join_lines(r.restored)) + " (" +
                   was + ")";
        o.path = r.paths.empty() ? std::string() : r.paths.front();
        diag_.error(printable(o.reason));
    }

    std::chrono::steady_clock::time_point start_;
    std::string import_file_;  // --import's file, absolute, once read
    Diagnostics diag_{0};
    StatusSink sink_;
    std::vector<std::string> fallback_;
    std::vector<std::string> import_approximated_;  // given up by --import, for the status
    std::vector<std::string> import_weakened_;
};

}  // namespace

int run_app(int argc, char** argv, char** envp) {
    App app;
    return app.run(argc, argv, envp);
}

}  // namespace sbx
