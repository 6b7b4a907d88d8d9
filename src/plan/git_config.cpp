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

// The program a command value starts with when it names a file by a path ("tools/fsmon.sh",
// "./x", "/abs/x"; an alias's "!" dropped, shell quotes taken off), or "" (a name looked up
// in PATH, a boolean, a shell construct).
std::string program_path(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    if (!v.empty() && v.front() == '!') v.remove_prefix(1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    std::string word;
    if (!v.empty() && (v.front() == '"' || v.front() == '\'')) {
        const auto close = v.find(v.front(), 1);
        if (close == std::string_view::npos) return {};
        word = std::string(v.substr(1, close - 1));
    } else {
        word = std::string(v.substr(0, v.find_first_of(" \t;|&<>()")));
    }
    return word.find('/') == std::string::npos ? std::string() : word;
}

}  // namespace

std::vector<ConfigPath> config_code_paths(std::string_view text) {
    std::vector<ConfigPath> out;
    for (const auto& e : parse_git_config(text).entries) {
        if (!e.has_value || e.value.empty()) continue;
        if (command_key(e)) {
            if (std::string program = program_path(e.value); !program.empty())
                out.push_back({"command", std::move(program)});
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
