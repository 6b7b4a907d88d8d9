// util/printable: what a name chosen inside the sandbox may look like in a message.
#include "util/printable.hpp"

#include <catch2/catch.hpp>
#include <string>

using sbx::printable;

TEST_CASE("printable: plain text and UTF-8 are kept", "[util][printable]") {
    CHECK(printable("/home/me/proj/.codex") == "/home/me/proj/.codex");
    CHECK(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
          "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    CHECK(printable("") == "");
}

TEST_CASE("printable: line breaks and controls cannot reach the terminal", "[util][printable]") {
    // A link named to fake a line of sbxrun's and clear the screen.
    CHECK(printable("lnk\nsbxrun: all good\x1b[2J") == "lnk\\nsbxrun: all good\\x1b[2J");
    CHECK(printable("a\rb\tc") == "a\\rb\\tc");
    CHECK(printable(std::string("a\0b", 3)) == "a\\x00b");
    CHECK(printable("\x7f") == "\\x7f");
}

TEST_CASE("printable: invalid UTF-8 and C1 controls are escaped", "[util][printable]") {
    CHECK(printable("\xff\xfe") == "\\xff\\xfe");
    CHECK(printable("\x9b"
                    "31m") == "\\x9b31m");  // a raw 8-bit CSI
    CHECK(printable("\xc2\x9b"
                    "31m") == "\\u009b31m");                // CSI as a UTF-8 character
    CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");           // an overlong '/'
    CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a UTF-16 surrogate
    CHECK(printable("\xe2\x82") == "\\xe2\\x82");           // cut short
    CHECK(printable("\xc2\xa0") == "\xc2\xa0");             // U+00A0 is printable
}

TEST_CASE("printable: bidi overrides and invisible separators are escaped", "[util][printable]") {
    // U+202E RIGHT-TO-LEFT OVERRIDE made a refused name read as another (eleventh review).
    CHECK(printable("\xe2\x80\xae"
                    "moc.elpmaxe") == "\\u202emoc.elpmaxe");
    CHECK(printable("a\xe2\x80\xa8"
                    "b") == "a\\u2028b");  // LINE SEPARATOR
    CHECK(printable("a\xe2\x80\x8b"
                    "b") == "a\\u200bb");  // ZERO WIDTH SPACE
    CHECK(printable("\xe2\x81\xa6"
                    "x") == "\\u2066x");  // LEFT-TO-RIGHT ISOLATE
    CHECK(printable("\xef\xbb\xbf"
                    "x") == "\\ufeffx");                           // BOM
    CHECK(printable("\xc3\xa9t\xc3\xa9") == "\xc3\xa9t\xc3\xa9");  // ordinary letters stay
}

TEST_CASE("printable: a backslash is escaped too, so the result reads back one way",
          "[util][printable]") {
    // The text "\xff" and the byte 0xff were the same path in the status document (sixteenth
    // outside review).
    CHECK(printable("a\\xff") == "a\\x5cxff");
    CHECK(printable("a\xff") == "a\\xff");
    CHECK(printable("c\\nd") != printable("c\nd"));
}
