#pragma once
// Flag values that several subcommands parse the same way.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "lever/optim/registry.h"

namespace lever::cli {

/// `text` as a finite number; otherwise ConfigError "<what>: expected a number, got '<text>'".
double ParseNumber(const std::string& text, const std::string& what);

/// Adds `--opt key=value` flags to `spec.options`. Throws ConfigError naming the flag and its value for
/// one without '=' or whose value is not a number; unknown keys are left to MakeOptimizer.
void AddOptimizerOptions(const std::vector<std::string>& key_values, OptimizerSpec& spec);

/// The `--key.path=value` run-config overrides left over after `cmd`'s own flags, as "key.path=value".
/// Throws ConfigError for anything else, naming it.
std::vector<std::string> ConfigOverrides(const CLI::App* cmd);

}  // namespace lever::cli
