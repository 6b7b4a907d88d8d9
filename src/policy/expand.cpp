#include "policy/expand.hpp"

#include <climits>

#include "fs/path.hpp"
#include "policy/document.hpp"

namespace sbx {
namespace {

Error schema(std::string msg) {
    return Error(ErrorKind::schema, std::move(msg));
}

Result<std::string> known(std::string_view var, const std::string& value) {
    if (value.empty()) return schema("${" + std::string(var) + "} is not known in this context");
    return value;
}

}  // namespace

Result<std::string> expand_variables(std::string_view text, const ExpandContext& ctx) {
    std::string out;
    std::size_t i = 0;
    if (!text.empty() && text[0] == '~') {
        if (text.size() > 1 && text[1] != '/')
            return schema("~user is not supported in " + quote_for_message(text) +
                          "; write an absolute path, or ./" + std::string(text) +
                          " for a name starting with ~");
        auto home = known("home", ctx.home);
        if (!home) return std::move(home).error();
        out = *home;
        i = 1;
    }
    while (i < text.size()) {
        char c = text[i];
        if (c != '$' || i + 1 >= text.size()) {
            out += c;
            ++i;
            continue;
        }
        if (text[i + 1] == '$') {
            out += '$';
            i += 2;
            continue;
        }
        if (text[i + 1] != '{') {
            out += c;
            ++i;
            continue;
        }
        auto close = text.find('}', i + 2);
        if (close == std::string_view::npos)
            return schema("unterminated ${ in " + quote_for_message(text));
        std::string_view var = text.substr(i + 2, close - i - 2);
        if (var == "workspace" || var == "home") {
            auto v = known(var, var == "home" ? ctx.home : ctx.workspace);
            if (!v) return std::move(v).error();
            out += *v;
        } else if (var == "tmpdir") {
            out += ctx.tmpdir.empty() ? std::string("/tmp") : ctx.tmpdir;
        } else if (var.substr(0, 4) == "env:") {
            std::string_view name = var.substr(4);
            if (name.empty()) return schema("${env:} needs a variable name");
            const std::string* v = ctx.env_var(name);
            if (!v)
                return schema("environment variable " + std::string(name) +
                              " is not set (used as ${env:" + std::string(name) + "})");
            out += *v;
        } else {
            return schema("unknown variable ${" + std::string(var) +
                          "} (known: ~, ${workspace}, ${home}, ${tmpdir}, ${env:NAME}; "
                          "write $$ for a literal $)");
        }
        i = close + 1;
    }
    return out;
}

Result<PathRule> make_path_rule(const std::string& text, const Origin& origin, PathListKind kind,
                                const ExpandContext& ctx, const PolicyLimits& limits) {
    auto fail = [&](ErrorKind k, std::string msg) {
        return Error(k, std::move(msg)).with_origin(origin).with_path(text);
    };
    if (text.empty()) return fail(ErrorKind::schema, "empty path");
    if (text.find('\0') != std::string::npos)
        return fail(ErrorKind::schema, "path contains a NUL byte");
    auto expanded = expand_variables(text, ctx);
    if (!expanded) return std::move(expanded).error().with_origin(origin).with_path(text);
    const std::string& p = *expanded;
    if (p.empty()) return fail(ErrorKind::schema, "path is empty after expansion");
    if (p.find('\0') != std::string::npos)
        return fail(ErrorKind::schema, "path contains a NUL byte after expansion");
    if (p.size() > limits.max_path_bytes)
        return fail(ErrorKind::limit, "path is " + std::to_string(p.size()) +
                                          " bytes long after expansion (limit " +
                                          std::to_string(limits.max_path_bytes) + ")");

    PathRule rule;
    rule.text = text;
    rule.origin = origin;
    if (p[0] == '/') {
        rule.path = normalize_path(p);
    } else {
        if (kind == PathListKind::absolute_only)
            return fail(ErrorKind::schema,
                        "path must be absolute after expansion (got " + quote_for_message(p) +
                            "); start it with /, ~/ or a variable such as ${workspace}");
        // A relative name is applied inside every writable root, so it may not climb out of
        // one: no ".." anywhere, and "." components are dropped.
        std::string name;
        for (const auto& part : path_components(p)) {
            if (part == ".") continue;
            if (part == "..")
                return fail(ErrorKind::schema, "a relative name may not contain \"..\" (got " +
                                                   quote_for_message(p) +
                                                   "); use an absolute path");
            if (!name.empty()) name += '/';
            name += part;
        }
        if (name.empty())
            return fail(ErrorKind::schema, "relative name " + quote_for_message(p) +
                                               " names the writable root itself");
        rule.path = std::move(name);
        rule.relative_name = true;
    }
    for (const auto& part : path_components(rule.path))
        if (part.size() > NAME_MAX)
            return fail(ErrorKind::limit, "a path component is " + std::to_string(part.size()) +
                                              " bytes long (limit " + std::to_string(NAME_MAX) +
                                              ")");
    return rule;
}

}  // namespace sbx
