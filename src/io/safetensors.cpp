#include "lever/io/safetensors.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "lever/error.h"
#include "lever/io/atomic_file.h"
#include "lever/io/excerpt.h"
#include "lever/io/text_file.h"

namespace lever {

// The byte buffer is copied as is, so lever's in-memory layout must already be the format's.
static_assert(std::endian::native == std::endian::little, "safetensors files are little-endian");

namespace {

struct DTypeInfo {
  DType dtype;
  const char* name;
  size_t size;
};
constexpr std::array<DTypeInfo, 15> kDTypes = {{{DType::kBool, "BOOL", 1},
                                                {DType::kU8, "U8", 1},
                                                {DType::kI8, "I8", 1},
                                                {DType::kF8E5M2, "F8_E5M2", 1},
                                                {DType::kF8E4M3, "F8_E4M3", 1},
                                                {DType::kI16, "I16", 2},
                                                {DType::kU16, "U16", 2},
                                                {DType::kF16, "F16", 2},
                                                {DType::kBF16, "BF16", 2},
                                                {DType::kI32, "I32", 4},
                                                {DType::kU32, "U32", 4},
                                                {DType::kF32, "F32", 4},
                                                {DType::kF64, "F64", 8},
                                                {DType::kI64, "I64", 8},
                                                {DType::kU64, "U64", 8}}};

const DTypeInfo& InfoOf(DType dtype) {
  for (const DTypeInfo& info : kDTypes) {
    if (info.dtype == dtype) return info;
  }
  throw Error("unknown dtype " + std::to_string(static_cast<int>(dtype)));
}

// The reference implementation refuses headers above 100 MB; so does lever (a corrupt length field
// would otherwise ask for gigabytes).
constexpr uint64_t kMaxHeaderBytes = 100u << 20;

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// Product of the shape times the element size, or false on overflow.
bool ByteLength(const std::vector<int64_t>& shape, size_t element_size, uint64_t* length) {
  uint64_t n = element_size;
  for (int64_t d : shape) {
    if (d < 0) return false;
    const auto dim = static_cast<uint64_t>(d);
    if (dim != 0 && n > std::numeric_limits<uint64_t>::max() / dim) return false;
    n *= dim;
  }
  *length = n;
  return true;
}

template <class T>
RawTensor FromValues(DType dtype, const std::vector<T>& values) {
  RawTensor t;
  t.dtype = dtype;
  t.shape = {static_cast<int64_t>(values.size())};
  t.bytes.assign(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
  return t;
}

// A tensor assembled by hand (not decoded) may hold the wrong number of bytes; never read past them.
void CheckByteCount(const RawTensor& t, const std::string& what) {
  uint64_t expected = 0;
  if (!ByteLength(t.shape, DTypeSize(t.dtype), &expected) || expected != t.bytes.size()) {
    throw IoError(what + " is " + t.Describe() + " but holds " + std::to_string(t.bytes.size()) +
                  " bytes; its bytes must match its dtype and shape");
  }
}

template <class T>
std::vector<T> ToValues(const RawTensor& t, DType dtype, const std::string& what) {
  CheckByteCount(t, what);
  if (t.dtype != dtype || t.shape.size() != 1) {
    throw IoError(what + " is " + t.Describe() + " but " + DTypeName(dtype) +
                  " of rank 1 was expected; was it written by a different program or version?");
  }
  std::vector<T> values(t.bytes.size() / sizeof(T));
  std::memcpy(values.data(), t.bytes.data(), values.size() * sizeof(T));
  return values;
}

[[noreturn]] void Corrupt(const std::string& source, const std::string& problem) {
  throw IoError(source + ": " + problem +
                "; the file is truncated or corrupt, or not a safetensors file. Restore it from a copy or "
                "write it again");
}

uint64_t Offset(const nlohmann::json& value, const std::string& source, const std::string& field) {
  if (!value.is_number_unsigned()) Corrupt(source, field + " holds " + value.dump() + ", not a byte offset");
  return value.get<uint64_t>();
}

}  // namespace

std::string DTypeName(DType dtype) { return InfoOf(dtype).name; }
size_t DTypeSize(DType dtype) { return InfoOf(dtype).size; }

bool ParseDType(const std::string& name, DType* dtype) {
  for (const DTypeInfo& info : kDTypes) {
    if (name == info.name) {
      *dtype = info.dtype;
      return true;
    }
  }
  return false;
}

int64_t RawTensor::NumElements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string RawTensor::Describe() const { return DTypeName(dtype) + ShapeText(shape); }

RawTensor RawTensor::FromTensor(const Tensor& tensor) {
  RawTensor t;
  t.dtype = DType::kF32;
  t.shape = {static_cast<int64_t>(tensor.rows()), static_cast<int64_t>(tensor.cols())};
  t.bytes.assign(reinterpret_cast<const char*>(tensor.data()), static_cast<size_t>(tensor.size()) * sizeof(float));
  return t;
}

RawTensor RawTensor::FromScalar(double value) {
  RawTensor t = FromF64({value});
  t.shape = {};
  return t;
}

RawTensor RawTensor::FromU64(const std::vector<uint64_t>& values) { return FromValues(DType::kU64, values); }
RawTensor RawTensor::FromI64(const std::vector<int64_t>& values) { return FromValues(DType::kI64, values); }
RawTensor RawTensor::FromF64(const std::vector<double>& values) { return FromValues(DType::kF64, values); }

Tensor RawTensor::ToTensor(const std::string& what) const {
  CheckByteCount(*this, what);
  if (dtype != DType::kF32 || shape.size() > 2) {
    throw IoError(what + " is " + Describe() +
                  " but F32 of rank 2 or less was expected; was it written by a different program or version?");
  }
  const Index rows = shape.size() == 2 ? static_cast<Index>(shape[0]) : 1;
  const Index cols = shape.empty() ? 1 : static_cast<Index>(shape.back());
  Tensor tensor(rows, cols);
  if (!bytes.empty()) std::memcpy(tensor.data(), bytes.data(), bytes.size());
  return tensor;
}

double RawTensor::ToScalar(const std::string& what) const {
  CheckByteCount(*this, what);
  if (dtype != DType::kF64 || !shape.empty()) {
    throw IoError(what + " is " + Describe() +
                  " but an F64 scalar (shape []) was expected; was it written by a different program or version?");
  }
  double value = 0.0;
  std::memcpy(&value, bytes.data(), sizeof(value));
  return value;
}

std::vector<uint64_t> RawTensor::ToU64(const std::string& what) const {
  return ToValues<uint64_t>(*this, DType::kU64, what);
}
std::vector<int64_t> RawTensor::ToI64(const std::string& what) const {
  return ToValues<int64_t>(*this, DType::kI64, what);
}
std::vector<double> RawTensor::ToF64(const std::string& what) const {
  return ToValues<double>(*this, DType::kF64, what);
}

std::string EncodeSafetensors(const SafetensorsContents& contents) {
  std::vector<const std::pair<const std::string, RawTensor>*> order;
  for (const auto& entry : contents.tensors) {
    const std::string& name = entry.first;
    const RawTensor& t = entry.second;
    if (name.empty() || name == "__metadata__") {
      throw IoError("a safetensors tensor cannot be named '" + name + "'; rename it");
    }
    CheckByteCount(t, "safetensors tensor '" + name + "'");
    order.push_back(&entry);
  }
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return DTypeSize(a->second.dtype) > DTypeSize(b->second.dtype);
  });

  nlohmann::json header = nlohmann::json::object();
  uint64_t offset = 0;
  for (const auto* entry : order) {
    const RawTensor& t = entry->second;
    header[entry->first] = {
        {"dtype", DTypeName(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  if (!contents.metadata.empty()) header["__metadata__"] = contents.metadata;
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');

  std::string file;
  file.reserve(8 + json.size() + offset);
  const uint64_t length = json.size();
  file.append(reinterpret_cast<const char*>(&length), 8);
  file += json;
  for (const auto* entry : order) file += entry->second.bytes;
  return file;
}

SafetensorsContents DecodeSafetensors(std::string_view bytes, const std::string& source) {
  if (bytes.size() < 8) {
    Corrupt(source, "the file is " + std::to_string(bytes.size()) + " bytes, shorter than the 8-byte header length");
  }
  uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data(), 8);
  if (header_length > kMaxHeaderBytes) {
    Corrupt(source, "the header length field says " + std::to_string(header_length) + " bytes, above the limit of " +
                        std::to_string(kMaxHeaderBytes));
  }
  if (header_length > bytes.size() - 8) {
    Corrupt(source, "the header length field says " + std::to_string(header_length) + " bytes but only " +
                        std::to_string(bytes.size() - 8) + " follow it");
  }
  const std::string_view header_text = bytes.substr(8, header_length);
  if (header_text.empty() || header_text.front() != '{') Corrupt(source, "the header does not start with '{'");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(header_text);
  } catch (const nlohmann::json::exception& e) {
    Corrupt(source, std::string("the header is not valid JSON (") + QuoteExcerpt(e.what(), 200) + ")");
  }
  if (!header.is_object()) Corrupt(source, "the header is not a JSON object");

  const std::string_view buffer = bytes.substr(8 + header_length);
  SafetensorsContents contents;
  struct Range {
    uint64_t begin, end;
    std::string name;
  };
  std::vector<Range> ranges;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) Corrupt(source, "\"__metadata__\" is not an object of strings");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) Corrupt(source, "\"__metadata__\" entry '" + key + "' is not a string");
        contents.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + name + "'";
    if (!entry.is_object()) Corrupt(source, where + " is not an object with dtype, shape and data_offsets");
    for (const char* field : {"dtype", "shape", "data_offsets"}) {
      if (!entry.contains(field)) Corrupt(source, where + " has no \"" + field + "\"");
    }
    RawTensor t;
    const nlohmann::json& dtype = entry["dtype"];
    if (!dtype.is_string() || !ParseDType(dtype.get<std::string>(), &t.dtype)) {
      Corrupt(source, where + " has unknown dtype " + dtype.dump());
    }
    const nlohmann::json& shape = entry["shape"];
    if (!shape.is_array()) Corrupt(source, where + " has shape " + shape.dump() + ", not a list of sizes");
    for (const nlohmann::json& d : shape) {
      if (!d.is_number_unsigned() || d.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        Corrupt(source, where + " has shape " + shape.dump() + ", not a list of sizes");
      }
      t.shape.push_back(d.get<int64_t>());
    }
    const nlohmann::json& offsets = entry["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2) {
      Corrupt(source, where + " has data_offsets " + offsets.dump() + ", not [begin, end]");
    }
    const uint64_t begin = Offset(offsets[0], source, where + "'s data_offsets");
    const uint64_t end = Offset(offsets[1], source, where + "'s data_offsets");
    if (begin > end || end > buffer.size()) {
      Corrupt(source, where + " has data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                          "] but the byte buffer after the header is " + std::to_string(buffer.size()) + " bytes");
    }
    uint64_t expected = 0;
    const bool representable = ByteLength(t.shape, DTypeSize(t.dtype), &expected);
    if (!representable || expected != end - begin) {
      Corrupt(source, where + " is " + t.Describe() + ", which needs " +
                          (representable ? std::to_string(expected) : std::string("too many")) +
                          " bytes, but its data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                          "] hold " + std::to_string(end - begin));
    }
    t.bytes.assign(buffer.substr(begin, end - begin));
    ranges.push_back({begin, end, name});
    contents.tensors.emplace(name, std::move(t));
  }

  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
  uint64_t covered = 0;
  for (const Range& r : ranges) {
    if (r.begin != covered) {
      Corrupt(source, "tensor '" + r.name + "' starts at byte " + std::to_string(r.begin) + " of the buffer but " +
                          (r.begin < covered ? "the previous tensor ends at " : "the bytes before it end at ") +
                          std::to_string(covered) + " (data_offsets must tile the buffer without gaps or overlaps)");
    }
    covered = r.end;
  }
  if (covered != buffer.size()) {
    Corrupt(source, "the tensors cover " + std::to_string(covered) + " bytes of the buffer but it holds " +
                        std::to_string(buffer.size()));
  }
  return contents;
}

void WriteSafetensors(const std::string& path, const std::map<std::string, RawTensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  WriteFileAtomically(path, EncodeSafetensors({tensors, metadata}));
}

SafetensorsContents ReadSafetensors(const std::string& path) {
  return DecodeSafetensors(ReadTextFile(path, "safetensors file"), path);
}

}  // namespace lever
