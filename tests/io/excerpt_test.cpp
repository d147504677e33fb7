#include "lever/io/excerpt.h"

#include <gtest/gtest.h>

#include <string>

namespace lever {
namespace {

TEST(ExcerptTest, EscapesWhatATerminalWouldActOn) {
  EXPECT_EQ(QuoteExcerpt("n/a"), "\"n/a\"");
  EXPECT_EQ(QuoteExcerpt("a\tb\r\n"), "\"a\\tb\\r\\n\"");
  // The start of an ELF file: control bytes, DEL and a stray high byte become \xNN; NUL does not end the text.
  EXPECT_EQ(QuoteExcerpt(std::string("\x7f"
                                     "ELF\x02\x01\x00\x1b[2J\xb3",
                                     12)),
            "\"\\x7fELF\\x02\\x01\\x00\\x1b[2J\\xb3\"");
  // Valid UTF-8 is shown as written.
  EXPECT_EQ(QuoteExcerpt("Zürich, 東京"), "\"Zürich, 東京\"");
}

TEST(ExcerptTest, CutsLongTextWithoutSplittingACharacter) {
  EXPECT_EQ(QuoteExcerpt(std::string(100, 'x')), "\"" + std::string(60, 'x') + "...\"");
  EXPECT_EQ(QuoteExcerpt("abcdef", 3), "\"abc...\"");
  // "ü" is two bytes; with room for one it is escaped rather than cut in half.
  EXPECT_EQ(QuoteExcerpt("aü", 2), "\"a\\xc3...\"");
  EXPECT_EQ(QuoteExcerpt("", 3), "\"\"");
}

TEST(ExcerptTest, ControlBytesMarkANonTextLine) {
  EXPECT_FALSE(HasControlBytes("a,b,label\r"));
  EXPECT_FALSE(HasControlBytes("a\tb\tZürich"));
  EXPECT_TRUE(
      HasControlBytes(std::string("\x7f"
                                  "ELF",
                                  4)));
  EXPECT_TRUE(HasControlBytes(std::string("a\0b", 3)));
}

}  // namespace
}  // namespace lever
