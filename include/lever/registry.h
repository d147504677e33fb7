#pragma once
// Tables of named things (activations, losses, optimizers, initializers, schedules, heads, model types,
// feature-column kinds): one entry per name, looked up here, so help text and "valid names" errors come
// from the table and no other file compares against a name string.
#include <string>
#include <vector>

#include "lever/error.h"

namespace lever {

/// "a, b, c": every item as `project(item)`, joined for help text and error messages.
template <class Range, class Project>
std::string JoinNames(const Range& items, Project project) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += project(item);
  }
  return out;
}

/// "a, b, c".
template <class Range>
std::string JoinNames(const Range& names) {
  return JoinNames(names, [](const auto& name) { return std::string(name); });
}

/// "a,,b" -> {"a", "", "b"}; "" -> {""}: a comma-separated list as a user types it in a flag.
inline std::vector<std::string> SplitNames(const std::string& text, char separator = ',') {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t at = text.find(separator); at != std::string::npos; at = text.find(separator, start)) {
    out.push_back(text.substr(start, at - start));
    start = at + 1;
  }
  out.push_back(text.substr(start));
  return out;
}

/// A named thing as help text and docs show it: its name, other names that mean the same, one line of help.
struct NameEntry {
  std::string name;
  std::vector<std::string> aliases;
  std::string help;
};

/// "  name (also a, b): help" lines, for `--help` epilogues and `lever names`.
inline std::string HelpLines(const std::vector<NameEntry>& entries) {
  std::string out;
  for (const NameEntry& e : entries) {
    out += "  " + e.name;
    if (!e.aliases.empty()) out += " (also " + JoinNames(e.aliases) + ")";
    out += (e.help.empty() ? std::string() : ": " + e.help) + "\n";
  }
  return out;
}

namespace internal {

/// The names of a table whose entries have a `name` member, in table order.
template <class Entry>
std::vector<std::string> EntryNames(const std::vector<Entry>& table) {
  std::vector<std::string> names;
  for (const Entry& e : table) names.emplace_back(e.name);
  return names;
}

/// The entry named `name` or one of whose `aliases` is `name`; nullptr when none is.
template <class Entry>
const Entry* FindEntry(const std::vector<Entry>& table, const std::string& name) {
  for (const Entry& e : table) {
    if (name == e.name) return &e;
    for (const auto& alias : e.aliases) {
      if (name == alias) return &e;
    }
  }
  return nullptr;
}

/// As FindEntry, but an unknown name throws ConfigError:
///   unknown <what> 'x'. Valid <plural>: a, b, c.<hint>
/// `plural` defaults to what + "s".
template <class Entry>
const Entry& LookUp(const std::vector<Entry>& table, const std::string& name, const std::string& what,
                    const std::string& hint = "", const std::string& plural = "") {
  if (const Entry* e = FindEntry(table, name)) return *e;
  throw ConfigError("unknown " + what + " '" + name + "'. Valid " + (plural.empty() ? what + "s" : plural) + ": " +
                    JoinNames(EntryNames(table)) + "." + hint);
}

/// A table's entries as help and docs show them, in table order.
template <class Entry>
std::vector<NameEntry> Describe(const std::vector<Entry>& table) {
  std::vector<NameEntry> out;
  for (const Entry& e : table) {
    out.push_back({std::string(e.name), std::vector<std::string>(e.aliases.begin(), e.aliases.end()), e.help});
  }
  return out;
}

}  // namespace internal
}  // namespace lever
