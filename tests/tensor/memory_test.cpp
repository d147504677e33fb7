#include "lever/tensor/memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

namespace lever {
namespace {

struct Cell {
  float a, b;
};

TEST(HugePageArrayTest, LargeArraysStartOnAHugePageBoundaryWithEveryElementSet) {
  const size_t count = (size_t{5} << 20) / sizeof(Cell) + 3;  // over 4 MiB, not a whole number of huge pages
  HugePageArray<Cell> array(count, Cell{1.5f, -2.0f});
  ASSERT_TRUE(array);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(array.data()) % (uintptr_t{2} << 20), 0u);
  EXPECT_EQ(array.size(), count);
  for (size_t i = 0; i < count; i += 997) {
    EXPECT_EQ(array[i].a, 1.5f);
    EXPECT_EQ(array[i].b, -2.0f);
  }
  EXPECT_EQ(array[count - 1].b, -2.0f);
  array[count - 1].a = 7.0f;  // the last element is writable
  EXPECT_EQ(array[count - 1].a, 7.0f);
}

TEST(HugePageArrayTest, SmallArraysComeFromTheOrdinaryAllocator) {
  HugePageArray<Cell> array(10, Cell{3.0f, 4.0f});
  ASSERT_TRUE(array);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(array.data()) % alignof(Cell), 0u);
  EXPECT_EQ(array[9].b, 4.0f);
  EXPECT_FALSE(HugePageArray<Cell>());
}

TEST(HugePageBufferTest, MovingTransfersOwnership) {
  HugePageBuffer a(size_t{6} << 20);
  void* data = a.data();
  HugePageBuffer b(std::move(a));
  EXPECT_EQ(b.data(), data);
  EXPECT_EQ(b.bytes(), size_t{6} << 20);
  EXPECT_EQ(a.data(), nullptr);  // NOLINT(bugprone-use-after-move): a moved-from buffer is empty
  HugePageBuffer c(128);
  c = std::move(b);
  EXPECT_EQ(c.data(), data);
  static_cast<char*>(c.data())[(size_t{6} << 20) - 1] = 1;
}

}  // namespace
}  // namespace lever
