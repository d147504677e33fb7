#pragma once
// Pieces of the report pages' HTML (internal to src/report).
#include <fmt/core.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "../io/xml_text.h"
#include "lever/error.h"
#include "lever/io/text_file.h"

namespace lever::report_html {

/// The JSON object in `path` (a job's result.json or evaluation.json); null when there is no such file;
/// DataError when it is larger than 16 MiB or not a JSON object.
inline nlohmann::json ReadJsonObjectIfPresent(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return nullptr;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw DataError(path.string() + " is not a file (a directory, a pipe or a device); remove it or put lever's " +
                    path.filename().string() + " there");
  }
  const std::uintmax_t bytes = std::filesystem::file_size(path, error);
  if (error || bytes > (std::uintmax_t{16} << 20))
    throw DataError(path.string() + ": not a lever " + path.filename().string() + " (too large)");
  nlohmann::json j = nlohmann::json::parse(ReadTextFile(path.string(), path.filename().string()), nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw DataError(path.string() + ": not a JSON object");
  return j;
}

/// A JSON value as a table cell: numbers in 6 significant digits, text escaped.
inline std::string Cell(const nlohmann::json& v) {
  if (v.is_number_float()) return fmt::format("{:.6g}", v.get<double>());
  if (v.is_string()) return EscapeXml(v.get<std::string>());
  return EscapeXml(v.dump());
}

/// A two-cell table row: the name escaped, the value as given (HTML).
inline std::string Row(const std::string& name, const std::string& value) {
  return "<tr><th>" + EscapeXml(name) + "</th><td>" + value + "</td></tr>\n";
}

/// The page's head and its <h1>, `title` escaped; the pages share one style.
inline std::string PageStart(const std::string& title) {
  constexpr const char* kStyle =
      "body{font-family:sans-serif;max-width:1040px;margin:24px auto;padding:0 12px;color:#222}"
      "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:14px}"
      "th{background:#f4f4f4;font-weight:normal}figure{margin:12px 0}figcaption{font-size:13px;color:#555}"
      "code{background:#f2f2f2;padding:0 3px}.findings li{margin:6px 0}.healthy{color:#176d2c}"
      ".diagonal{background:#e6f2e6}.alarm{color:#a33}pre{font-size:13px}.note{color:#8a5a00}";
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + EscapeXml(title) +
         "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<h1>" + EscapeXml(title) + "</h1>\n";
}

inline constexpr const char* kPageEnd = "</body>\n</html>\n";

/// An SVG with its caption.
inline std::string Figure(const std::string& svg, const std::string& caption) {
  return "<figure>\n" + svg + "<figcaption>" + EscapeXml(caption) + "</figcaption>\n</figure>\n";
}

}  // namespace lever::report_html
