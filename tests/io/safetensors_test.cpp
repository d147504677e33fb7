// The safetensors format byte for byte, round trips of every kind of tensor, and a clear error naming
// the file and the field for each way a file can be broken.
#include "lever/io/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>

#include "lever/error.h"
#include "testing/files.h"

namespace lever {
namespace {

using testing::Contains;
using testing::ErrorOf;

std::string LittleEndian64(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[static_cast<size_t>(i)] = static_cast<char>((value >> (8 * i)) & 0xFF);
  return bytes;
}

// A file assembled by hand: header length, header text, buffer.
std::string File(const std::string& header, const std::string& buffer) {
  return LittleEndian64(header.size()) + header + buffer;
}

std::string FloatBytes(std::initializer_list<float> values) {
  std::string bytes;
  for (float v : values) bytes.append(reinterpret_cast<const char*>(&v), sizeof(v));
  return bytes;
}

TEST(SafetensorsTest, EncodesTheDocumentedLayoutExactly) {
  Tensor t(1, 2);
  t << 1.0f, 2.0f;
  const std::string file = EncodeSafetensors({{{"a", RawTensor::FromTensor(t)}}, {{"format", "test"}}});
  // nlohmann::json orders keys alphabetically; the header is padded with spaces to a multiple of 8.
  std::string header = R"({"__metadata__":{"format":"test"},"a":{"data_offsets":[0,8],"dtype":"F32","shape":[1,2]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  EXPECT_EQ(file, File(header, FloatBytes({1.0f, 2.0f})));
  EXPECT_EQ(file.size() % 8, 0u);
}

TEST(SafetensorsTest, RoundTripsEveryKindOfTensorAndTheMetadata) {
  Tensor weights(2, 3);
  weights << 1.5f, -2.0f, 3.25f, 0.0f, -0.0f, 1e-30f;
  SafetensorsContents contents;
  contents.tensors["model/dense/kernel"] = RawTensor::FromTensor(weights);
  contents.tensors["optimizer/iterations"] = RawTensor::FromScalar(17.0);
  contents.tensors["rng/data"] = RawTensor::FromU64({0xFFFFFFFFFFFFFFFFull, 1, 2});
  contents.tensors["data/position"] = RawTensor::FromI64({-3, 4});
  contents.tensors["f64"] = RawTensor::FromF64({0.1, 0.2});
  contents.tensors["bytes"] = {DType::kU8, {3}, "xyz"};
  contents.tensors["empty"] = {DType::kF32, {0, 4}, ""};
  contents.metadata = {{"format", "lever.checkpoint"}, {"step", "17"}};
  const std::string path = testing::TempPath("round_trip.safetensors");
  WriteSafetensors(path, contents.tensors, contents.metadata);
  const SafetensorsContents read = ReadSafetensors(path);

  EXPECT_EQ(read.metadata, contents.metadata);
  ASSERT_EQ(read.tensors.size(), contents.tensors.size());
  for (const auto& [name, t] : contents.tensors) {
    SCOPED_TRACE(name);
    const RawTensor& r = read.tensors.at(name);
    EXPECT_EQ(r.dtype, t.dtype);
    EXPECT_EQ(r.shape, t.shape);
    EXPECT_EQ(r.bytes, t.bytes);
  }
  EXPECT_EQ(read.tensors.at("model/dense/kernel").ToTensor("kernel"), weights);
  EXPECT_EQ(read.tensors.at("optimizer/iterations").ToScalar("iterations"), 17.0);
  EXPECT_EQ(read.tensors.at("rng/data").ToU64("rng"), (std::vector<uint64_t>{0xFFFFFFFFFFFFFFFFull, 1, 2}));
  EXPECT_EQ(read.tensors.at("data/position").ToI64("position"), (std::vector<int64_t>{-3, 4}));
  EXPECT_EQ(read.tensors.at("f64").ToF64("f64"), (std::vector<double>{0.1, 0.2}));
}

TEST(SafetensorsTest, EveryTensorStartsAlignedToItsElementSize) {
  SafetensorsContents contents;
  contents.tensors["a_byte"] = {DType::kU8, {1}, "x"};
  contents.tensors["b_float"] = RawTensor::FromTensor(Tensor::Ones(1, 1));
  contents.tensors["c_double"] = RawTensor::FromF64({1.0});
  const std::string file = EncodeSafetensors(contents);
  uint64_t header_length = 0;
  std::memcpy(&header_length, file.data(), 8);
  const auto header = file.substr(8, header_length);
  // Largest elements first: c_double at 0, b_float at 8, a_byte at 12.
  EXPECT_TRUE(Contains(header, R"("c_double":{"data_offsets":[0,8])"));
  EXPECT_TRUE(Contains(header, R"("b_float":{"data_offsets":[8,12])"));
  EXPECT_TRUE(Contains(header, R"("a_byte":{"data_offsets":[12,13])"));
}

TEST(SafetensorsTest, ReadsFilesWrittenByOtherToolsWithAnyKeyOrderAndSpacing) {
  const std::string header =
      "{ \"w\" : { \"shape\" : [2], \"data_offsets\" : [8, 16], \"dtype\" : \"F32\" },\n"
      "  \"__metadata__\": {\"format\": \"pt\"}, \"b\": {\"dtype\": \"I64\", \"shape\": [], \"data_offsets\": [0, 8]}} "
      "  ";
  int64_t b = -5;
  const std::string buffer = std::string(reinterpret_cast<const char*>(&b), 8) + FloatBytes({3.0f, 4.0f});
  const SafetensorsContents read = DecodeSafetensors(File(header, buffer), "other.safetensors");
  EXPECT_EQ(read.metadata.at("format"), "pt");
  EXPECT_EQ(read.tensors.at("w").ToTensor("w"), (Tensor(1, 2) << 3.0f, 4.0f).finished());
  EXPECT_EQ(read.tensors.at("b").shape, std::vector<int64_t>{});
  EXPECT_EQ(read.tensors.at("b").bytes, std::string(reinterpret_cast<const char*>(&b), 8));
}

struct BrokenFile {
  const char* what;
  std::string bytes;
  const char* expected;  // part of the message
};

TEST(SafetensorsTest, EachBrokenFileIsAnIoErrorNamingTheFileAndTheField) {
  const std::string good_header = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string good_buffer = FloatBytes({1.0f, 2.0f});
  const std::string good = File(good_header, good_buffer);
  ASSERT_NO_THROW(DecodeSafetensors(good, "good.safetensors"));
  const std::vector<BrokenFile> cases = {
      {"shorter than the length", "abc", "shorter than the 8-byte header length"},
      {"truncated in the buffer", good.substr(0, good.size() - 3), "data_offsets [0, 8]"},
      {"truncated in the header", good.substr(0, 20), "only 12 follow it"},
      {"huge header length", LittleEndian64(1ull << 40) + good_header, "above the limit"},
      {"header not JSON", File(R"({"w":{"dtype":"F32",)", ""), "not valid JSON"},
      {"header not an object", File("[1, 2]", ""), "does not start with '{'"},
      {"unknown dtype", File(R"({"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}})", good_buffer),
       "tensor 'w' has unknown dtype \"F33\""},
      {"missing shape", File(R"({"w":{"dtype":"F32","data_offsets":[0,8]}})", good_buffer), "has no \"shape\""},
      {"negative dimension", File(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", good_buffer),
       "has shape [-2]"},
      {"shape and bytes disagree", File(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", good_buffer),
       "F32[3], which needs 12 bytes, but its data_offsets [0, 8] hold 8"},
      {"begin after end", File(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", good_buffer),
       "data_offsets [8, 0]"},
      {"gap", File(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", good_buffer), "starts at byte 4"},
      {"overlap",
       File(
           R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
           good_buffer),
       "the previous tensor ends at 8"},
      {"trailing bytes", good + "xx", "cover 8 bytes of the buffer but it holds 10"},
      {"metadata not strings", File(R"({"__metadata__":{"step":3}})", ""), "entry 'step' is not a string"},
  };
  for (const BrokenFile& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string message = ErrorOf<IoError>([&] { DecodeSafetensors(c.bytes, "/models/ckpt-7.safetensors"); });
    EXPECT_TRUE(Contains(message, "/models/ckpt-7.safetensors: "));
    EXPECT_TRUE(Contains(message, c.expected));
    EXPECT_TRUE(Contains(message, "write it again"));
  }
}

TEST(SafetensorsTest, ReadingAMissingFileNamesIt) {
  const std::string path = testing::TempPath("missing.safetensors");
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { ReadSafetensors(path); }), path));
}

TEST(SafetensorsTest, WrongDtypeOrRankOnConversionNamesTheTensor) {
  const RawTensor t = RawTensor::FromU64({1, 2});
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { t.ToTensor("ckpt: tensor 'x'"); }), "ckpt: tensor 'x' is U64[2]"));
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { t.ToScalar("s"); }), "an F64 scalar"));
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { t.ToF64("f"); }), "F64 of rank 1"));
  const RawTensor lying{DType::kF32, {4}, "abc"};
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { lying.ToTensor("l"); }), "holds 3 bytes"));
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { EncodeSafetensors({{{"l", lying}}, {}}); }), "'l' is F32[4]"));
}

}  // namespace
}  // namespace lever
