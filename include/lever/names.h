#pragma once
// Every table of named things in one place (activations, initializers, losses, optimizers, schedules, heads,
// model types, feature-column kinds, the Playground's datasets and features), for `lever names` and for the
// lists in docs/, which tools/docs/sync_names.py rewrites from it so the docs cannot drift from the tables.
#include <string>
#include <vector>

#include "lever/registry.h"

namespace lever {

/// One table: its key (`activations`), where its names are used, and its entries in table order.
struct NameTable {
  std::string kind;
  std::string used_by;
  std::vector<NameEntry> entries;
};

/// All tables, in the order `lever names` prints them.
std::vector<NameTable> NameTables();

/// The table whose kind is `kind`; a ConfigError listing the kinds otherwise.
NameTable FindNameTable(const std::string& kind);

}  // namespace lever
