#include "lever/train/stop_signal.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "lever/error.h"

namespace lever {
namespace {

// Only lock-free atomics may be touched from a signal handler.
std::atomic<int> g_stop_signal{0};
std::atomic<bool> g_installed{false};
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};
static_assert(std::atomic<int>::is_always_lock_free);

void OnStopSignal(int signal_number) {
  int expected = 0;
  if (g_stop_signal.compare_exchange_strong(expected, signal_number)) return;
  // Asked twice: give the signal its previous meaning (by default, terminate) and deliver it again.
  sigaction(signal_number, signal_number == SIGINT ? &g_previous_int : &g_previous_term, nullptr);
  raise(signal_number);
}

}  // namespace

StopSignalHandler::StopSignalHandler() {
  if (g_installed.exchange(true)) {
    throw Error("a StopSignalHandler is already installed; create one per process and share it");
  }
  g_stop_signal = 0;
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // interrupted reads and writes resume; the loop polls the flag
  // The previous dispositions are stored before the handler can run (it reads them on a second signal).
  if (sigaction(SIGINT, nullptr, &g_previous_int) != 0 || sigaction(SIGTERM, nullptr, &g_previous_term) != 0 ||
      sigaction(SIGINT, &action, nullptr) != 0 || sigaction(SIGTERM, &action, nullptr) != 0) {
    const int error = errno;
    sigaction(SIGINT, &g_previous_int, nullptr);
    g_installed = false;
    throw IoError(std::string("cannot install the SIGINT/SIGTERM handlers: ") + std::strerror(error));
  }
}

StopSignalHandler::~StopSignalHandler() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
  g_stop_signal = 0;
  g_installed = false;
}

bool StopSignalHandler::requested() const { return g_stop_signal.load() != 0; }
int StopSignalHandler::signal_number() const { return g_stop_signal.load(); }
void StopSignalHandler::Clear() { g_stop_signal = 0; }

}  // namespace lever
