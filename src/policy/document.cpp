#include "policy/document.hpp"

#include <cstdio>

namespace sbx {

const DocEntry* DocNode::find(std::string_view key) const {
    for (const auto& e : entries)
        if (e.key == key) return &e;
    return nullptr;
}

const char* kind_name(DocNode::Kind kind) {
    switch (kind) {
        case DocNode::Kind::table:
            return "a table";
        case DocNode::Kind::array:
            return "an array";
        case DocNode::Kind::string:
            return "a string";
        case DocNode::Kind::integer:
            return "an integer";
        case DocNode::Kind::floating:
            return "a float";
        case DocNode::Kind::boolean:
            return "a boolean";
        case DocNode::Kind::datetime:
            return "a date/time";
        case DocNode::Kind::null:
            return "null";
    }
    return "null";
}

std::string quote_for_message(std::string_view text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
    return out;
}

namespace {

bool is_bare_key(std::string_view key) {
    if (key.empty()) return false;
    for (char c : key) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

std::string key_path_join(std::string_view parent, std::string_view key) {
    std::string out(parent);
    if (!out.empty()) out += '.';
    if (is_bare_key(key))
        out += key;
    else
        out += quote_for_message(key);
    return out;
}

std::string key_path_index(std::string_view parent, std::size_t index) {
    return std::string(parent) + "[" + std::to_string(index) + "]";
}

}  // namespace sbx
