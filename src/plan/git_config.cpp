#include "plan/git_config.hpp"

#include <algorithm>

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
                   k == "askpass" || k == "gitproxy";
        if (e.section == "sendemail")
            return k == "sendmailcmd" || k == "tocmd" || k == "cccmd" || k == "smtpserver";
        return (e.section == "sequence" && k == "editor") ||
               (e.section == "gpg" && k == "program") ||
               (e.section == "credential" && k == "helper") ||
               (e.section == "diff" && k == "external") || (e.section == "web" && k == "browser") ||
               (e.section == "uploadpack" && k == "packobjectshook") ||
               (e.section == "receive" && k == "procreceive");
    }
    return (e.section == "diff" && (k == "textconv" || k == "command")) ||
           (e.section == "filter" && (k == "clean" || k == "smudge" || k == "process")) ||
           (e.section == "merge" && k == "driver") ||
           (e.section == "gpg" && (k == "program" || k == "defaultkeycommand")) ||
           (e.section == "credential" && k == "helper") ||
           (e.section == "remote" && (k == "uploadpack" || k == "receivepack")) ||
           ((e.section == "mergetool" || e.section == "difftool") && k == "cmd") ||
           (e.section == "trailer" && (k == "command" || k == "cmd")) ||
           (e.section == "submodule" && k == "update") ||
           ((e.section == "browser" || e.section == "man") && (k == "cmd" || k == "path"));
}

// A command value's words as the shell would split its simple commands: quotes and
// backslashes taken off, "" between two simple commands (";", "&", "|", "(", ")", "{", "}", a
// new line), and "$" for a word with an expansion in it (what it names is not known here).
std::vector<std::string> shell_words(std::string_view v) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false, dynamic = false;
    auto end_word = [&] {
        if (in_word) words.push_back(dynamic ? std::string("$") : word);
        word.clear();
        in_word = dynamic = false;
    };
    for (std::size_t i = 0; i < v.size() && words.size() < 256; ++i) {
        const char c = v[i];
        if (c == '\'') {
            const auto close = v.find('\'', i + 1);
            if (close == std::string_view::npos) break;
            word.append(v.substr(i + 1, close - i - 1));
            in_word = true;
            i = close;
        } else if (c == '"') {
            for (++i; i < v.size() && v[i] != '"'; ++i) {
                if (v[i] == '\\' && i + 1 < v.size())
                    ++i;
                else if (v[i] == '$' || v[i] == '`')
                    dynamic = true;
                word.push_back(v[i]);
            }
            in_word = true;
        } else if (c == '\\') {
            if (i + 1 < v.size() && v[i + 1] != '\n') word.push_back(v[i + 1]);
            ++i;
            in_word = true;
        } else if (c == '$' || c == '`') {
            dynamic = in_word = true;
        } else if (c == ' ' || c == '\t') {
            end_word();
        } else if (std::string_view(";&|(){}\n<>").find(c) != std::string_view::npos) {
            end_word();
            // A redirection's file is no program: skip the word after < or >.
            if (c == '<' || c == '>') {
                while (i + 1 < v.size() && (v[i + 1] == '>' || v[i + 1] == '&')) ++i;
                words.push_back("<");
            } else {
                words.emplace_back();
            }
        } else {
            word.push_back(c);
            in_word = true;
        }
    }
    end_word();
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

// Words that only start a simple command ("env A=1 x", "exec x", "then x").
bool command_prefix(std::string_view w) {
    for (std::string_view p : {"env", "exec", "command", "nohup", "time", "nice", "then", "do",
                               "else", "elif", "if", "while", "until", "!", "xargs"})
        if (w == p) return true;
    return false;
}

// The files a command value runs that it names by a path: the program of each of its simple
// commands ("tools/fsmon.sh", "./x", "/abs/x"; an alias's "!" dropped; "A=1 x", "env x", "true;
// x", "a && x" each reach x), an interpreter's script ("python3 tools/x.py", "sh -e x.sh"),
// and what "sh -c '...'" runs, in turn (review 50: `!sh scripts/t.sh`, `!true; scripts/t.sh`,
// `!scr\ipts/t.sh`). A program found in PATH, or one named through an expansion ($X), is not.
std::vector<std::string> program_paths(std::string_view v, int depth = 0) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    if (!v.empty() && v.front() == '!') v.remove_prefix(1);
    const std::vector<std::string> words = shell_words(v);
    std::vector<std::string> out;
    auto add = [&](const std::string& w) {
        if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
    };
    bool at_start = true;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w.empty()) {  // a new simple command
            at_start = true;
            continue;
        }
        if (w == "<") {  // a redirection and its file
            ++i;
            continue;
        }
        if (!at_start) continue;
        // Assignments before the program, and words that only introduce it.
        const auto eq = w.find('=');
        if ((eq != std::string::npos && eq > 0 && w.find('/') > eq) || command_prefix(w) ||
            (w.starts_with('-') && i > 0 && words[i - 1] == "env"))
            continue;
        at_start = false;
        if (w == "$") continue;
        if (w.find('/') != std::string::npos) add(w);
        if (!interpreter(w)) continue;
        for (std::size_t a = i + 1; a < words.size() && !words[a].empty(); ++a) {
            if (words[a] == "-c" && a + 1 < words.size() && depth < 2) {
                for (const auto& p : program_paths(words[a + 1], depth + 1)) add(p);
                break;
            }
            if (words[a].starts_with('-')) continue;  // its options ("bash -e x.sh")
            if (words[a] != "$" && words[a].find('/') != std::string::npos) add(words[a]);
            break;
        }
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
