// A directory zipped in memory with libarchive.
#include "zip_archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "lever/error.h"

namespace lever::cli {
namespace {

// libarchive's writer appends what it writes to the string `client`.
la_ssize_t Append(struct archive*, void* client, const void* buffer, size_t length) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

}  // namespace

std::string ZipDirectory(const std::filesystem::path& directory, const std::string& prefix) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
    if (entry.is_regular_file() && !entry.is_symlink()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::string out;
  const std::unique_ptr<struct archive, int (*)(struct archive*)> zip(archive_write_new(), archive_write_free);
  const auto check = [&zip](int status, const std::string& what) {
    if (status < ARCHIVE_WARN) throw IoError("cannot zip " + what + ": " + archive_error_string(zip.get()));
  };
  check(archive_write_set_format_zip(zip.get()), "the export");
  check(archive_write_open(zip.get(), &out, nullptr, Append, nullptr), "the export");
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) throw IoError("cannot read '" + file.string() + "' to zip it");
    const std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> entry(archive_entry_new(),
                                                                                       archive_entry_free);
    const std::string name = prefix + "/" + std::filesystem::relative(file, directory).generic_string();
    archive_entry_set_pathname(entry.get(), name.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(data.size()));
    check(archive_write_header(zip.get(), entry.get()), name);
    if (!data.empty() && archive_write_data(zip.get(), data.data(), data.size()) < 0) {
      check(ARCHIVE_FATAL, name);
    }
  }
  check(archive_write_close(zip.get()), "the export");
  return out;
}

}  // namespace lever::cli
