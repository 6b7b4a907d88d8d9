#include "plan/git_config.hpp"

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

// Keys whose value is a command git runs (section.key, or section.*.key with a subsection).
bool command_key(const GitConfigEntry& e) {
    if (!e.has_subsection) {
        if (e.section == "alias" || e.section == "pager") return true;
        if (e.section == "core")
            return e.key == "fsmonitor" || e.key == "pager" || e.key == "editor" ||
                   e.key == "sshcommand" || e.key == "askpass";
        return (e.section == "sequence" && e.key == "editor") ||
               (e.section == "gpg" && e.key == "program") ||
               (e.section == "credential" && e.key == "helper");
    }
    return (e.section == "diff" && (e.key == "textconv" || e.key == "command")) ||
           (e.section == "filter" &&
            (e.key == "clean" || e.key == "smudge" || e.key == "process")) ||
           (e.section == "merge" && e.key == "driver") ||
           (e.section == "gpg" && e.key == "program") ||
           (e.section == "credential" && e.key == "helper");
}

// The words of a command value, as the shell would split its simple start: quotes taken off,
// stopping at the first shell construct (";", "|", "&&", a redirection, a "$").
std::vector<std::string> leading_words(std::string_view v) {
    std::vector<std::string> words;
    while (words.size() < 8) {
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        if (v.empty()) break;
        std::string word;
        if (v.front() == '"' || v.front() == '\'') {
            const auto close = v.find(v.front(), 1);
            if (close == std::string_view::npos) break;
            word = std::string(v.substr(1, close - 1));
            v.remove_prefix(close + 1);
        } else {
            const auto end = v.find_first_of(" \t;|&<>()$`'\"");
            word = std::string(v.substr(0, end));
            v = end == std::string_view::npos ? std::string_view() : v.substr(end);
            if (word.empty()) break;  // a shell construct
        }
        words.push_back(std::move(word));
    }
    return words;
}

// Interpreters whose first operand is the script they run ("python3 tools/x.py").
bool interpreter(std::string_view program) {
    const auto slash = program.rfind('/');
    if (slash != std::string_view::npos) program.remove_prefix(slash + 1);
    for (std::string_view i : {"sh", "bash", "dash", "zsh", "ksh", "fish", "python", "python3",
                               "node", "perl", "ruby", "php", "lua", "tclsh", "deno", "bun"})
        if (program == i) return true;
    return false;
}

// The files a command value runs that it names by a path: its program ("tools/fsmon.sh",
// "./x", "/abs/x"; an alias's "!" dropped, "env VAR=x" skipped), and an interpreter's script
// ("python3 tools/x.py": forty-ninth review). A program found in PATH is not named here.
std::vector<std::string> program_paths(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    if (!v.empty() && v.front() == '!') v.remove_prefix(1);
    const std::vector<std::string> words = leading_words(v);
    std::size_t i = 0;
    if (i < words.size() && words[i] == "env") {
        ++i;
        while (i < words.size() && words[i].find('=') != std::string::npos) ++i;
    }
    std::vector<std::string> out;
    if (i >= words.size()) return out;
    const std::string& program = words[i];
    if (program.find('/') != std::string::npos) out.push_back(program);
    if (interpreter(program))
        for (std::size_t a = i + 1; a < words.size(); ++a) {
            if (words[a].starts_with('-')) continue;  // its options ("bash -e x.sh")
            if (words[a].find('/') != std::string::npos) out.push_back(words[a]);
            break;
        }
    return out;
}

}  // namespace

std::vector<ConfigPath> config_code_paths(std::string_view text) {
    return config_code_paths(parse_git_config(text).entries);
}

std::vector<ConfigPath> config_code_paths(const std::vector<GitConfigEntry>& entries) {
    std::vector<ConfigPath> out;
    for (const auto& e : entries) {
        if (!e.has_value || e.value.empty()) continue;
        if (command_key(e)) {
            for (std::string& path : program_paths(e.value))
                out.push_back({"command", std::move(path)});
            continue;
        }
        if (e.section == "core" && !e.has_subsection && e.key == "hookspath")
            out.push_back({"core.hookspath", e.value});
        else if (e.section == "include" && !e.has_subsection && e.key == "path")
            out.push_back({"include.path", e.value});
        else if (e.section == "includeif" && e.has_subsection && e.key == "path")
            out.push_back({"includeif.path", e.value});
    }
    return out;
}

}  // namespace sbx
