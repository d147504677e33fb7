#pragma once
// The safetensors file format (Hugging Face), read and written without the safetensors library:
//
//   8 bytes     N, the header length, unsigned little-endian
//   N bytes     UTF-8 JSON: {"<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]},
//               ..., "__metadata__": {"<key>": "<value>", ...}}, padded with spaces so N % 8 == 0
//   the rest    the byte buffer; tensor i is bytes [begin, end) of it, little-endian, row-major (C order)
//
// The offsets cover the buffer exactly (no gaps, no overlaps), and each range holds
// product(shape) * size(dtype) bytes. numpy reads a tensor with
// np.frombuffer(buffer[begin:end], dtype="<f4").reshape(shape); docs/checkpoints.md has the snippet.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lever/tensor/tensor.h"

namespace lever {

/// Element types of the format, with their names in the header.
enum class DType { kBool, kU8, kI8, kF8E5M2, kF8E4M3, kI16, kU16, kF16, kBF16, kI32, kU32, kF32, kF64, kI64, kU64 };

/// "F32", "U64", ...
std::string DTypeName(DType dtype);
/// Bytes per element.
size_t DTypeSize(DType dtype);
/// The dtype a header name stands for; false when the name is unknown.
bool ParseDType(const std::string& name, DType* dtype);

/// One tensor as stored: element type, shape ({} for a scalar) and its little-endian bytes.
struct RawTensor {
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  std::string bytes;

  /// Product of the shape (1 for a scalar).
  int64_t NumElements() const;
  /// "F32[2, 3]", for messages.
  std::string Describe() const;

  /// A model tensor as F32 of shape [rows, cols].
  static RawTensor FromTensor(const Tensor& tensor);
  /// A number as an F64 scalar (shape []).
  static RawTensor FromScalar(double value);
  /// Integers or doubles kept exactly, shape [values.size()].
  static RawTensor FromU64(const std::vector<uint64_t>& values);
  static RawTensor FromI64(const std::vector<int64_t>& values);
  static RawTensor FromF64(const std::vector<double>& values);

  /// The values back. Each throws IoError naming `what` (the file and tensor, say) when the dtype or
  /// rank differs: ToTensor takes F32 of rank 2 (or rank 1 as one row, rank 0 as 1 x 1), ToScalar an F64
  /// scalar, the vectors rank-1 tensors of their own dtype.
  Tensor ToTensor(const std::string& what) const;
  double ToScalar(const std::string& what) const;
  std::vector<uint64_t> ToU64(const std::string& what) const;
  std::vector<int64_t> ToI64(const std::string& what) const;
  std::vector<double> ToF64(const std::string& what) const;
};

/// Tensors by name and the string-to-string `__metadata__`.
struct SafetensorsContents {
  std::map<std::string, RawTensor> tensors;
  std::map<std::string, std::string> metadata;
};

/// The whole file as bytes. Tensors are laid out by decreasing element size, then by name, so every
/// tensor starts aligned to its element size. Throws IoError when a tensor's bytes do not match its
/// dtype and shape, or a name is empty or "__metadata__".
std::string EncodeSafetensors(const SafetensorsContents& contents);
/// Parses and validates a file's bytes: the header length, the JSON, every dtype, shape and offset
/// range, and that the ranges tile the buffer. Throws IoError starting with `source` (the file name)
/// and naming the broken field.
SafetensorsContents DecodeSafetensors(std::string_view bytes, const std::string& source);

/// Writes a safetensors file atomically (lever/io/atomic_file.h).
void WriteSafetensors(const std::string& path, const std::map<std::string, RawTensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});
/// Reads and validates a safetensors file. Throws IoError naming the file.
SafetensorsContents ReadSafetensors(const std::string& path);

}  // namespace lever
