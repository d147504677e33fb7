#pragma once
// Input quoted in an error message. A message may show a piece of what a reader met (a CSV cell, a LIBSVM
// token, a header name); that piece may be binary, so it is shown escaped and cut, never as raw bytes a
// terminal would act on.
#include <string>
#include <string_view>

namespace lever {

/// `text` in double quotes, at most `max_bytes` of it (then "..."): \n, \r and \t as such, other control
/// bytes and DEL as \xNN, and bytes of 0x80 and above as \xNN too unless they are valid UTF-8 (so a
/// non-ASCII name shows as written, and a binary file's bytes do not reach the terminal).
std::string QuoteExcerpt(std::string_view text, size_t max_bytes = 60);

/// True when `text` holds a control byte other than tab and carriage return, or DEL: not a line of a text file.
bool HasControlBytes(std::string_view text);

}  // namespace lever
