// `lever names`: every table of named things (lever/names.h) and the subcommands, as help lines, one
// comma-separated line per table (--list), or the Markdown of docs/names.md (--markdown).
#include "lever/names.h"

#include <fmt/core.h>

#include <algorithm>
#include <string>
#include <vector>

#include "commands.h"
#include "console.h"
#include "lever/error.h"

namespace lever::cli {
namespace {

struct NamesFlags {
  std::string kind;
  bool list = false, markdown = false;
};

// The subcommands as a table, from the app itself.
NameTable Commands(const CLI::App& app) {
  NameTable table{"commands", "lever COMMAND --help", {}};
  for (const CLI::App* sub : app.get_subcommands({})) {
    table.entries.push_back({sub->get_name(), {}, sub->get_description()});
  }
  return table;
}

// Help text inside a Markdown table cell: '|' and the characters that would start emphasis or HTML escaped.
std::string MarkdownCell(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '|' || c == '*' || c == '<' || c == '_' || c == '`') out += '\\';
    out += c;
  }
  return out;
}

std::string Markdown(const std::vector<NameTable>& tables) {
  std::string out =
      "# Names\n\n"
      "<!-- Generated from lever's tables by `lever names --markdown` (tools/docs/sync_names.py); do not edit. -->\n\n"
      "Every named thing lever accepts, from the tables in the source, in table order. An alias means the same "
      "as its name everywhere. `lever names KIND` prints one table, `lever names KIND --list` its names.\n";
  for (const NameTable& t : tables) {
    out += "\n## " + t.kind + "\n\nUsed by: " + t.used_by + ".\n\n| name | also | what it is |\n|---|---|---|\n";
    for (const NameEntry& e : t.entries) {
      out += "| `" + e.name + "` | " +
             JoinNames(e.aliases, [](const std::string& a) { return "`" + MarkdownCell(a) + "`"; }) + " | " +
             MarkdownCell(e.help) + " |\n";
    }
  }
  return out;
}

int Run(const NamesFlags& f, const CLI::App& app) {
  std::vector<NameTable> tables = NameTables();
  tables.push_back(Commands(app));
  if (!f.kind.empty()) {
    auto one = std::find_if(tables.begin(), tables.end(), [&](const NameTable& t) { return t.kind == f.kind; });
    if (one == tables.end()) {
      throw ConfigError("no table of names called '" + f.kind +
                        "'. Tables: " + JoinNames(tables, [](const NameTable& t) { return t.kind; }) + ".");
    }
    tables = {*one};
  }
  if (f.markdown) {
    WriteToStdout(Markdown(tables));
    return 0;
  }
  std::string out;
  for (const NameTable& t : tables) {
    const std::string names = JoinNames(t.entries, [](const NameEntry& e) { return e.name; });
    if (f.list) {
      out += (f.kind.empty() ? t.kind + ": " : std::string()) + names + "\n";
    } else {
      out += t.kind + ", for " + t.used_by + ":\n" + HelpLines(t.entries);
    }
  }
  WriteToStdout(out);
  return 0;
}

}  // namespace

Command RegisterNames(CLI::App& app) {
  auto f = std::make_shared<NamesFlags>();
  CLI::App* cmd = app.add_subcommand(
      "names", "List every name lever accepts (activations, losses, optimizers, ...) with its aliases and help");
  cmd->add_option("kind", f->kind,
                  "one table: " + JoinNames(NameTables(), [](const NameTable& t) { return t.kind; }) + ", commands");
  cmd->add_flag("--list", f->list, "only the names, comma-separated, one line per table");
  cmd->add_flag("--markdown", f->markdown, "the tables as Markdown (docs/names.md)");
  return [f, &app] { return Run(*f, app); };
}

}  // namespace lever::cli
