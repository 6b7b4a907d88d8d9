#include "plan/host_git_config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "fs/path.hpp"
#include "fs/read_bounded.hpp"
#include "util/unique_fd.hpp"

namespace sbx {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// A name from the environment as git takes it: relative to where git runs.
std::string absolute_from(const std::string& value, const std::string& cwd) {
    return value[0] == '/' ? value : path_join(cwd, value);
}

void add_unique(std::vector<std::string>& v, std::string s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

// One shell-single-quoted word at the start of `s` ('it'\''s' is "it's", as git's
// sq_dequote_step reads it), removed from `s`; nullopt when `s` does not start with one.
std::optional<std::string> sq_word(std::string_view& s) {
    if (s.empty() || s.front() != '\'') return std::nullopt;
    std::string out;
    std::size_t i = 1;
    for (;;) {
        const auto close = s.find('\'', i);
        if (close == std::string_view::npos) return std::nullopt;
        out.append(s.substr(i, close - i));
        // '\'' and '\!' continue the word with that character.
        if (close + 3 < s.size() && s[close + 1] == '\\' &&
            (s[close + 2] == '\'' || s[close + 2] == '!') && s[close + 3] == '\'') {
            out.push_back(s[close + 2]);
            i = close + 4;
            continue;
        }
        s.remove_prefix(close + 1);
        return out;
    }
}

}  // namespace

std::optional<GitConfigEntry> config_entry_from_key(std::string_view key,
                                                    std::optional<std::string> value) {
    const auto first = key.find('.');
    const auto last = key.rfind('.');
    if (first == std::string_view::npos || first == 0 || last + 1 == key.size())
        return std::nullopt;
    GitConfigEntry e;
    e.section = lower(key.substr(0, first));
    e.key = lower(key.substr(last + 1));
    if (last != first) {
        e.has_subsection = true;
        e.subsection = std::string(key.substr(first + 1, last - first - 1));
    }
    e.has_value = value.has_value();
    if (value) e.value = std::move(*value);
    e.written = std::string(key) + (value ? "=" + e.value : std::string());
    return e;
}

std::vector<GitConfigEntry> parse_config_parameters(std::string_view text) {
    std::vector<GitConfigEntry> out;
    for (;;) {
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
            text.remove_prefix(1);
        if (text.empty()) break;
        auto key = sq_word(text);
        if (!key) break;  // git refuses the rest
        std::optional<std::string> value;
        if (text.starts_with("=")) {  // 'key'='value' (git 2.31 and later)
            text.remove_prefix(1);
            value = sq_word(text);
            if (!value) break;
        } else if (const auto eq = key->find('='); eq != std::string::npos) {  // 'key=value'
            value = key->substr(eq + 1);
            key->resize(eq);
        }
        if (auto e = config_entry_from_key(*key, std::move(value))) out.push_back(std::move(*e));
    }
    return out;
}

HostGitConfig host_git_config(const EnvLookup& env, const std::string& home,
                              const std::string& passwd_home, const std::string& cwd) {
    HostGitConfig h;
    auto set = [&](std::string_view name) -> const std::string* {
        const std::string* v = env(name);
        return v != nullptr && !v->empty() ? v : nullptr;
    };
    // The defaults, whatever the environment says: the user's next shell may not set it.
    for (const std::string* dir : {&home, &passwd_home}) {
        if (dir->empty()) continue;
        add_unique(h.files, path_join(*dir, ".gitconfig"));
        add_unique(h.files, path_join(*dir, ".config/git/config"));
    }
    if (const auto* x = set("XDG_CONFIG_HOME"))
        add_unique(h.files, path_join(absolute_from(*x, cwd), "git/config"));
    for (const char* name : {"GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM"})
        if (const auto* f = set(name); f != nullptr && *f != "/dev/null")
            add_unique(h.files, absolute_from(*f, cwd));
    add_unique(h.files, "/etc/gitconfig");

    if (const auto* count = set("GIT_CONFIG_COUNT")) {
        unsigned long n = 0;
        const auto [end, ec] = std::from_chars(count->data(), count->data() + count->size(), n);
        // git refuses a count it cannot read, or one whose keys are missing, and runs nothing.
        if (ec == std::errc() && end == count->data() + count->size())
            for (unsigned long i = 0; i < std::min(n, 1024UL); ++i) {
                const auto* key = set("GIT_CONFIG_KEY_" + std::to_string(i));
                const auto* value = env("GIT_CONFIG_VALUE_" + std::to_string(i));
                if (key == nullptr || value == nullptr) break;
                if (auto e = config_entry_from_key(*key, *value)) h.entries.push_back(*e);
            }
    }
    // The programs git takes from the environment before its config (git(1), ENVIRONMENT):
    // as the config keys they stand for (review 51: GIT_EXTERNAL_DIFF=tools/gitdiff.sh).
    static constexpr std::pair<std::string_view, std::string_view> kProgramVars[] = {
        {"GIT_EXTERNAL_DIFF", "diff.external"},
        {"GIT_PAGER", "core.pager"},
        {"PAGER", "core.pager"},
        {"GIT_EDITOR", "core.editor"},
        {"VISUAL", "core.editor"},
        {"EDITOR", "core.editor"},
        {"GIT_SEQUENCE_EDITOR", "sequence.editor"},
        {"GIT_SSH", "core.sshcommand"},
        {"GIT_SSH_COMMAND", "core.sshcommand"},
        {"GIT_ASKPASS", "core.askpass"},
        {"SSH_ASKPASS", "core.askpass"},
        {"GIT_PROXY_COMMAND", "core.gitproxy"}};
    for (const auto& [var, key] : kProgramVars)
        if (const auto* v = set(var))
            if (auto e = config_entry_from_key(key, *v)) h.entries.push_back(std::move(*e));
    if (const auto* t = set("GIT_TEMPLATE_DIR")) h.template_env = absolute_from(*t, cwd);
    if (const auto* p = set("GIT_CONFIG_PARAMETERS"))
        for (auto& e : parse_config_parameters(*p)) h.entries.push_back(std::move(e));
    read_host_git_files(h, home);
    return h;
}

void read_host_git_files(HostGitConfig& host, const std::string& home) {
    struct Pending {
        std::string path;
        int depth;
    };
    std::vector<Pending> files;
    for (const auto& f : host.files) files.push_back({f, 0});
    // An include among the environment's entries must be absolute (git refuses a relative one
    // there).
    for (const auto& p : config_code_paths(host.entries)) {
        if (!is_include(p.kind)) continue;
        if (p.value.starts_with("~/") && !home.empty())
            files.push_back({path_join(home, p.value.substr(2)), 1});
        else if (p.value[0] == '/')
            files.push_back({p.value, 1});
    }
    host.read.clear();
    for (std::size_t i = 0; i < files.size() && i < 256; ++i) {
        const Pending f = files[i];
        // As git reads it: links followed; a FIFO never waited on.
        UniqueFd fd(::open(f.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
        struct stat st {};
        if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        const BoundedRead r = read_bounded(fd.get(), std::size_t{1} << 20);
        if (r.too_large || r.sys_errno != 0) continue;
        HostGitFile read{f.path, parse_git_config(r.text).entries};
        if (f.depth < 10)
            for (const auto& p : config_code_paths(read.entries)) {
                if (!is_include(p.kind)) continue;
                if (p.value.starts_with("~/")) {
                    if (!home.empty())
                        files.push_back({path_join(home, p.value.substr(2)), f.depth + 1});
                } else if (p.value[0] != '~') {
                    files.push_back(
                        {p.value[0] == '/' ? p.value : path_join(path_parent(f.path), p.value),
                         f.depth + 1});
                }
            }
        host.read.push_back(std::move(read));
    }
}

std::vector<std::string> host_worktree_code(const HostGitConfig& host, const std::string&) {
    std::vector<std::string> out;
    auto take = [&](const std::vector<GitConfigEntry>& entries) {
        for (const auto& p : config_code_paths(entries))
            if (relative_to_worktree(p.kind) && p.value[0] != '/' && p.value[0] != '~')
                add_unique(out, p.value);
    };
    for (const auto& f : host.read) take(f.entries);
    take(host.entries);
    return out;
}

std::vector<std::string> host_template_dirs(const HostGitConfig& host, const std::string& home,
                                            const std::vector<std::string>& bases) {
    std::vector<std::string> out;
    if (!host.template_env.empty()) out.push_back(host.template_env);
    auto take = [&](const std::vector<GitConfigEntry>& entries) {
        for (const auto& e : entries) {
            if (e.section != "init" || e.has_subsection || e.key != "templatedir" ||
                e.value.empty())
                continue;
            if (e.value.starts_with("~/") && !home.empty())
                add_unique(out, path_join(home, e.value.substr(2)));
            else if (e.value[0] == '/')
                add_unique(out, e.value);
            else if (e.value[0] != '~')
                for (const auto& base : bases)
                    if (!base.empty()) add_unique(out, normalize_path(path_join(base, e.value)));
        }
    };
    for (const auto& f : host.read) take(f.entries);
    take(host.entries);
    return out;
}

}  // namespace sbx
