#include "plan/git_config.hpp"

#include <algorithm>

#include "fs/real_path.hpp"
#include "plan/command_words.hpp"

namespace sbx {
namespace {

bool alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool alnum(char c) {
    return alpha(c) || (c >= '0' && c <= '9');
}
char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// A cursor over the text that reads "\r\n" as "\n", as git's get_next_char does.
struct Cursor {
    std::string_view t;
    std::size_t at = 0;
    bool done() const { return at >= t.size(); }
    char peek() const {
        if (at >= t.size()) return '\n';
        if (t[at] == '\r' && at + 1 < t.size() && t[at + 1] == '\n') return '\n';
        return t[at];
    }
    char next() {
        if (at >= t.size()) return '\n';
        if (t[at] == '\r' && at + 1 < t.size() && t[at + 1] == '\n') {
            at += 2;
            return '\n';
        }
        return t[at++];
    }
    void to_line_end() {
        while (!done() && next() != '\n') {
        }
    }
};

}  // namespace

GitConfigText parse_git_config(std::string_view text) {
    GitConfigText out;
    Cursor c{text};
    std::string section, subsection, header;
    bool has_subsection = false;
    auto refuse = [&](std::size_t from) {
        out.valid = false;
        const std::size_t end = text.find('\n', from);
        out.bad = std::string(text.substr(from, end == std::string_view::npos ? end : end - from));
        return out;
    };
    // A UTF-8 byte order mark at the start is skipped, as git does.
    if (text.substr(0, 3) == "\xef\xbb\xbf") c.at = 3;
    while (!c.done()) {
        const std::size_t start = c.at;
        const char ch = c.next();
        if (ch == '\n' || ch == ' ' || ch == '\t' || ch == '\r') continue;
        if (ch == '#' || ch == ';') {
            if (ch != '\n') c.to_line_end();
            continue;
        }
        if (ch == '[') {
            // [section], [section "subsection"] (quoted, backslash escapes any character), or
            // the older [section.subsection] (lower-cased whole).
            std::string name;
            char h = c.next();
            for (; alnum(h) || h == '-' || h == '.'; h = c.next()) name.push_back(lower(h));
            const auto dot = name.find('.');
            section = name.substr(0, dot);
            subsection = dot == std::string::npos ? std::string() : name.substr(dot + 1);
            has_subsection = dot != std::string::npos;
            if (h == ' ' || h == '\t') {
                if (has_subsection) return refuse(start);
                while (h == ' ' || h == '\t') h = c.next();
                if (h != '"') return refuse(start);
                has_subsection = true;
                for (h = c.next(); h != '"'; h = c.next()) {
                    if (h == '\n') return refuse(start);
                    if (h == '\\') {
                        h = c.next();
                        if (h == '\n') return refuse(start);
                    }
                    subsection.push_back(h);
                }
                h = c.next();
            }
            if (h != ']' || section.empty()) return refuse(start);
            header = std::string(text.substr(start, c.at - start));
            continue;  // the rest of the line is read as any other (an entry may follow)
        }
        if (!alpha(ch)) return refuse(start);
        GitConfigEntry e;
        e.key.push_back(lower(ch));
        while (alnum(c.peek()) || c.peek() == '-') e.key.push_back(lower(c.next()));
        while (c.peek() == ' ' || c.peek() == '\t') c.next();
        if (!c.done()) {
            const char after = c.next();
            if (after != '\n') {
                if (after != '=') return refuse(start);
                e.has_value = true;
                bool quote = false, comment = false;
                std::size_t space = 0;
                for (;;) {
                    if (c.done()) {
                        if (quote) return refuse(start);
                        break;
                    }
                    char v = c.next();
                    if (v == '\n') {
                        if (quote) return refuse(start);
                        break;
                    }
                    if (comment) continue;
                    if ((v == ' ' || v == '\t' || v == '\r') && !quote) {
                        if (!e.value.empty()) ++space;
                        continue;
                    }
                    if (!quote && (v == ';' || v == '#')) {
                        comment = true;
                        continue;
                    }
                    for (; space > 0; --space) e.value.push_back(' ');
                    if (v == '\\') {
                        v = c.next();
                        switch (v) {
                            case '\n':
                                continue;  // a continued line
                            case 't':
                                v = '\t';
                                break;
                            case 'b':
                                v = '\b';
                                break;
                            case 'n':
                                v = '\n';
                                break;
                            case '\\':
                            case '"':
                                break;
                            default:
                                return refuse(start);
                        }
                        e.value.push_back(v);
                        continue;
                    }
                    if (v == '"') {
                        quote = !quote;
                        continue;
                    }
                    e.value.push_back(v);
                }
            }
        }
        if (section.empty()) return refuse(start);  // a key before any section
        e.section = section;
        e.subsection = subsection;
        e.has_subsection = has_subsection;
        std::string_view raw = text.substr(start, c.at - start);
        while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
        e.written = header + "\n" + std::string(raw);
        out.entries.push_back(std::move(e));
    }
    return out;
}

namespace {

// Keys whose value is a command git runs (section.key, or section.*.key with a subsection):
// git-config(1)'s commands, programs and helpers.
bool command_key(const GitConfigEntry& e) {
    const std::string& k = e.key;
    if (!e.has_subsection) {
        if (e.section == "alias" || e.section == "pager") return true;
        if (e.section == "core")
            return k == "fsmonitor" || k == "pager" || k == "editor" || k == "sshcommand" ||
                   k == "askpass" || k == "gitproxy" || k == "alternaterefscommand";
        if (e.section == "sendemail")
            return k == "sendmailcmd" || k == "tocmd" || k == "cccmd" || k == "smtpserver" ||
                   k == "headercmd";
        return (e.section == "sequence" && k == "editor") ||
               (e.section == "gpg" && k == "program") ||
               (e.section == "credential" && k == "helper") ||
               (e.section == "diff" && k == "external") || (e.section == "web" && k == "browser") ||
               (e.section == "uploadpack" && k == "packobjectshook") ||
               (e.section == "receive" && k == "procreceive") ||
               // Review 53's.
               (e.section == "interactive" && k == "difffilter") ||
               (e.section == "instaweb" && k == "httpd");
    }
    return (e.section == "diff" && (k == "textconv" || k == "command")) ||
           (e.section == "filter" && (k == "clean" || k == "smudge" || k == "process")) ||
           (e.section == "merge" && k == "driver") ||
           (e.section == "gpg" && (k == "program" || k == "defaultkeycommand")) ||
           (e.section == "credential" && k == "helper") ||
           (e.section == "remote" && (k == "uploadpack" || k == "receivepack")) ||
           ((e.section == "mergetool" || e.section == "difftool") && (k == "cmd" || k == "path")) ||
           (e.section == "guitool" && k == "cmd") ||
           (e.section == "trailer" && (k == "command" || k == "cmd")) ||
           (e.section == "submodule" && k == "update") ||
           ((e.section == "browser" || e.section == "man") && (k == "cmd" || k == "path"));
}

}  // namespace

const char* config_path_key(ConfigPathKind k) {
    switch (k) {
        case ConfigPathKind::hooks_path:
            return "core.hookspath";
        case ConfigPathKind::include:
            return "include.path";
        case ConfigPathKind::include_if:
            return "includeif.path";
        case ConfigPathKind::command:
            return "command";
        case ConfigPathKind::mentioned:
            return "mentioned";
        case ConfigPathKind::run_dir:
            return "run_dir";
    }
    return "?";
}

std::vector<ConfigPath> config_code_paths(std::string_view text) {
    return config_code_paths(parse_git_config(text).entries);
}

std::vector<ConfigPath> config_code_paths(const std::vector<GitConfigEntry>& entries) {
    std::vector<ConfigPath> out;
    for (const auto& e : entries) {
        if (!e.has_value || e.value.empty()) continue;
        if (command_key(e)) {
            std::vector<std::string> paths = command_program_paths(e.value);
            for (std::string& path : paths)
                out.push_back({ConfigPathKind::command, std::move(path)});
            for (std::string& path : command_mentioned_paths(e.value))
                // "./x" is how the reading of words keeps a script named without a slash
                // ("sh x"): the same file as the program x, protected once.
                if (std::find(paths.begin(), paths.end(),
                              path.starts_with("./") ? path.substr(2) : path) == paths.end() ||
                    path.find_first_of("*?[") != std::string::npos)
                    out.push_back({ConfigPathKind::mentioned, std::move(path)});
            for (std::string& dir : command_run_dirs(e.value))
                out.push_back({ConfigPathKind::run_dir, std::move(dir)});
            continue;
        }
        if (e.section == "core" && !e.has_subsection && e.key == "hookspath")
            out.push_back({ConfigPathKind::hooks_path, e.value});
        else if (e.section == "include" && !e.has_subsection && e.key == "path")
            out.push_back({ConfigPathKind::include, e.value});
        else if (e.section == "includeif" && e.has_subsection && e.key == "path")
            out.push_back({ConfigPathKind::include_if, e.value});
    }
    return out;
}

// The repositories on this machine that the config's remotes lead to, whose hooks the host's
// git push runs (receive-pack takes that repository's config and hooks): remote.*.url and
// pushurl, and remote.pushDefault, branch.*.remote and branch.*.pushRemote when they are a
// path rather than a remote's name, each rewritten by the longest url.*.insteadOf (and
// pushInsteadOf) prefix of every config read, as git does (review 52). A path, file:// URL
// or one relative to the work tree is a local repository.
namespace {

// A file:// URL's path as git takes it: %XX decoded (review 53: "my%20repos").
std::string url_decoded(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto hex = [](char c) {
            return c >= '0' && c <= '9'   ? c - '0'
                   : c >= 'a' && c <= 'f' ? c - 'a' + 10
                   : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : -1;
        };
        if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

}  // namespace

LocalRemotes local_remote_paths(const std::vector<GitConfigEntry>& entries,
                                const std::string& worktree, const std::string& home) {
    std::vector<std::pair<std::string, std::string>> rewrites, push_rewrites;  // prefix, base
    std::vector<std::string> urls, names, remotes;
    for (const auto& e : entries) {
        if (e.section == "remote" && e.has_subsection &&
            std::find(remotes.begin(), remotes.end(), e.subsection) == remotes.end())
            remotes.push_back(e.subsection);
        if (e.value.empty()) continue;
        if (e.section == "url" && e.has_subsection && e.key == "insteadof")
            rewrites.emplace_back(e.value, e.subsection);
        else if (e.section == "url" && e.has_subsection && e.key == "pushinsteadof")
            push_rewrites.emplace_back(e.value, e.subsection);
        else if (e.section == "remote" && e.has_subsection &&
                 (e.key == "url" || e.key == "pushurl"))
            urls.push_back(e.value);
        else if ((e.section == "remote" && !e.has_subsection && e.key == "pushdefault") ||
                 (e.section == "branch" && e.has_subsection &&
                  (e.key == "remote" || e.key == "pushremote")))
            names.push_back(e.value);  // a remote's name, or a URL or path
    }
    // A name no remote has is a URL or a path to git, a bare word too: relative to the work
    // tree (review 53: branch.main.pushRemote = backup, and a gitfile at backup).
    for (auto& n : names)
        if (std::find(remotes.begin(), remotes.end(), n) == remotes.end())
            urls.push_back(n.find('/') == std::string::npos && n.find(':') == std::string::npos
                               ? "./" + n
                               : n);
    auto rewritten = [](const std::string& url, const auto& table) {
        std::size_t best = 0;
        std::string base;
        for (const auto& [prefix, to] : table)
            if (url.starts_with(prefix) && prefix.size() > best) {
                best = prefix.size();
                base = to;
            }
        return best > 0 ? base + url.substr(best) : url;
    };
    LocalRemotes out;
    auto add = [&](std::string url) {
        // A URL that is a bare word is a path to git, relative to the work tree (review 53:
        // pushurl = upx, and a gitfile at upx).
        if (!url.empty() && url.find_first_of(":/") == std::string::npos && url[0] != '.' &&
            url[0] != '~')
            url = "./" + url;
        if (url.starts_with("file://")) {
            url = url_decoded(url.substr(7));
            if (url.starts_with("localhost/")) url = url.substr(9);
        }
        if (url.starts_with("~/")) {
            if (home.empty()) return;
            url = home + url.substr(1);
        }
        if (url.empty() || url.find("://") != std::string::npos || (url[0] != '/' && url[0] != '.'))
            return;  // another machine's, scp-like host:path, ~user's, or a remote's name
        std::string path = environment_path(url[0] == '/' ? url : worktree + "/" + url);
        if (std::find(out.paths.begin(), out.paths.end(), path) != out.paths.end()) return;
        if (out.paths.size() < kMaxLocalRemotes)
            out.paths.push_back(std::move(path));
        else
            out.truncated = true;
    };
    // Each URL as fetched and as pushed: git pushes to pushInsteadOf's rewrite where one
    // matches, and never rewrites a pushurl by it; both spellings are kept, a superset of
    // what git takes (review 53: both matched, and only insteadOf's target was protected).
    for (const std::string& url : urls) {
        add(url);
        add(rewritten(url, rewrites));
        add(rewritten(url, push_rewrites));
    }
    return out;
}

std::vector<GitConfigEntry> legacy_remote_entries(std::string_view kind, const std::string& name,
                                                  std::string_view text) {
    std::vector<GitConfigEntry> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        std::string_view url;
        if (kind == "remotes" && line.starts_with("URL:"))
            url = line.substr(4);
        else if (kind == "branches")
            url = line.substr(0, line.find('#'));
        while (!url.empty() && (url.front() == ' ' || url.front() == '\t')) url.remove_prefix(1);
        while (!url.empty() && (url.back() == ' ' || url.back() == '\r')) url.remove_suffix(1);
        if (!url.empty()) {
            GitConfigEntry e;
            e.section = "remote";
            e.subsection = name;
            e.has_subsection = true;
            e.key = "url";
            e.value = std::string(url);
            e.has_value = true;
            out.push_back(std::move(e));
        }
        if (kind == "branches") break;  // its first line only
    }
    return out;
}

std::vector<std::string> local_repository_candidates(const std::string& path) {
    return {path + "/.git", path, path + ".git/.git", path + ".git"};
}

}  // namespace sbx
