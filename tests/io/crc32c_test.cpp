// CRC-32C against published check values (RFC 3720 B.4 and the CRC catalogue's check string), and the
// fast paths against the bitwise reference.
#include "lever/io/crc32c.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lever/tensor/rng.h"

namespace lever {
namespace {

TEST(Crc32cTest, MatchesPublishedCheckValues) {
  EXPECT_EQ(Crc32c(std::string("123456789")), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string()), 0u);
  std::string zeros(32, '\0'), ones(32, '\xFF'), ascending(32, '\0'), descending(32, '\0');
  for (int i = 0; i < 32; ++i) {
    ascending[static_cast<size_t>(i)] = static_cast<char>(i);
    descending[static_cast<size_t>(i)] = static_cast<char>(31 - i);
  }
  // RFC 3720 (iSCSI), appendix B.4.
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(descending), 0x113FDB5Cu);
}

TEST(Crc32cTest, FastPathsAgreeWithBitwiseReferenceAtEveryLengthAndAlignment) {
  Rng rng(7);
  std::string bytes(300, '\0');
  for (char& c : bytes) c = static_cast<char>(rng.NextU64());
  for (size_t offset = 0; offset < 9; ++offset) {
    for (size_t size = 0; size + offset <= bytes.size(); size += 1 + size / 8) {
      const char* p = bytes.data() + offset;
      const uint32_t expected = Crc32cBitwise(p, size);
      ASSERT_EQ(Crc32cTable(p, size), expected) << "offset " << offset << ", size " << size;
      ASSERT_EQ(Crc32c(p, size), expected) << "offset " << offset << ", size " << size;
    }
  }
}

TEST(Crc32cTest, ExtendingEqualsOneCall) {
  const std::string a = "checkpoint ", b = "tensors";
  EXPECT_EQ(Crc32c(b, Crc32c(a)), Crc32c(a + b));
  EXPECT_EQ(Crc32cTable(b.data(), b.size(), Crc32cTable(a.data(), a.size())), Crc32c(a + b));
}

TEST(Crc32cTest, MaskFollowsTfRecordFormulaAndUnmasks) {
  // ((crc >> 15) | (crc << 17)) + 0xa282ead8, worked by hand for crc = 1: rotate right 15 = 1 << 17.
  EXPECT_EQ(MaskCrc32c(1u), (1u << 17) + 0xa282ead8u);
  EXPECT_EQ(MaskCrc32c(0u), 0xa282ead8u);
  for (uint32_t crc : {0u, 1u, 0xE3069283u, 0xFFFFFFFFu}) EXPECT_EQ(UnmaskCrc32c(MaskCrc32c(crc)), crc);
}

}  // namespace
}  // namespace lever
