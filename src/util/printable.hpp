// Text from the filesystem (a link's name or target, a name a scan found) on its way into a
// message: a sandboxed command chooses those bytes, and printed raw they could fake
// "sbxrun: ..." lines with a newline or drive the user's terminal with escape sequences
// (found by the fourth outside review).
#pragma once

#include <string>
#include <string_view>

namespace sbx {

// `text` on one line and safe for a terminal: \n, \r and \t as those two characters, other
// C0 controls, DEL and the backslash itself as \xNN (so every backslash of the result starts
// an escape, and it reads back one way), C1 controls (U+0080..U+009F) as \u00NN, and bytes
// that are not part of valid UTF-8 as \xNN. Everything else, other UTF-8 text included, is kept.
[[nodiscard]] std::string printable(std::string_view text);

}  // namespace sbx
