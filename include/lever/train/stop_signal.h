#pragma once
// Ctrl-C and `kill` as a request to stop cleanly: while a StopSignalHandler lives, the first SIGINT or
// SIGTERM only sets a flag, which a training loop polls to save a checkpoint and return; a second one
// restores the previous disposition and re-raises the signal, so a stuck process still dies.
//
//   StopSignalHandler stop;
//   while (step < max_steps && !stop.requested()) { ... }
//   if (stop.requested()) manager.Save(contents);
namespace lever {

class StopSignalHandler {
 public:
  /// Installs handlers for SIGINT and SIGTERM (sigaction). Only one may live at a time: a second is an
  /// Error. Throws IoError when the handlers cannot be installed.
  StopSignalHandler();
  /// Restores the handlers that were installed before.
  ~StopSignalHandler();
  StopSignalHandler(const StopSignalHandler&) = delete;
  StopSignalHandler& operator=(const StopSignalHandler&) = delete;

  /// True once SIGINT or SIGTERM arrived (async-signal-safe flag).
  bool requested() const;
  /// The signal that asked to stop (SIGINT or SIGTERM), 0 when none did.
  int signal_number() const;
  /// Forgets a request, e.g. after the checkpoint it asked for was saved and training continues.
  void Clear();
};

}  // namespace lever
