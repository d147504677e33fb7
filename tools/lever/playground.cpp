// `lever playground`: the TensorFlow Playground's page served by one binary, with training on lever's native
// engine in the server (lever/playground/session.h), streamed to the page as Server-Sent Events
// (docs/playground.md). HTTP by cpp-httplib; the page's files are built in (playground_assets.h).
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "commands.h"
#include "console.h"
#include "lever/data/schema.h"
#include "lever/error.h"
#include "lever/estimator/run_export.h"
#include "lever/io/atomic_file.h"
#include "lever/io/excerpt.h"
#include "lever/playground/session.h"
#include "lever/tensor/gemm.h"
#include "lever/train/stop_signal.h"
#include "playground_assets.h"
#include "run_flags.h"
#include "zip_archive.h"

// Last: it includes <resolv.h>, whose macro _res would rename a parameter of Eigen's headers.
#include <httplib.h>  // NOLINT(llvm-include-order)

namespace lever::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct PlaygroundFlags {
  std::string host = "127.0.0.1";
  int port = 8080;
  int max_sessions = 16;
};

// The page's knobs and the `lever train` flags they are. A knob's value is a number, a text of letters,
// digits and ".,:_-", a list (features, hidden) or a switch (batch_norm).
struct KnobFlag {
  const char* knob;
  const char* flag;
};
constexpr KnobFlag kKnobFlags[] = {{"table", "--train-file"},
                                   {"label", "--label"},
                                   {"plane", ""},
                                   {"dataset", "--dataset"},
                                   {"noise", "--noise"},
                                   {"train_percent", "--train-percent"},
                                   {"features", "--features"},
                                   {"hidden", "--hidden"},
                                   {"activation", "--activation"},
                                   {"initializer", "--initializer"},
                                   {"optimizer", "--optimizer"},
                                   {"learning_rate", "--learning-rate"},
                                   {"lr_schedule", "--lr-schedule"},
                                   {"decay_steps", "--decay-steps"},
                                   {"decay_rate", "--decay-rate"},
                                   {"l1", "--l1"},
                                   {"l2", "--l2"},
                                   {"dropout", "--dropout"},
                                   {"batch_norm", "--batch-norm"},
                                   {"clip_norm", "--clip-norm"},
                                   {"batch_size", "--batch-size"},
                                   {"seed", "--seed"}};

std::string KnobNames() {
  std::string out;
  for (const KnobFlag& k : kKnobFlags) out += (out.empty() ? "" : ", ") + std::string(k.knob);
  return out;
}

// A JSON value in an error message: cut, and invalid UTF-8 replaced (dump() would throw on it).
std::string Excerpt(const nlohmann::json& value) {
  return QuoteExcerpt(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// A knob's value as one command-line word: checked, so the command line the page shows needs no quoting.
std::string Word(const std::string& knob, const nlohmann::json& value) {
  std::string text;
  if (value.is_number()) {
    const double v = value.get<double>();
    if (!std::isfinite(v)) throw ConfigError("knob '" + knob + "': not a finite number");
    if (value.is_number_unsigned()) {
      text = std::to_string(value.get<uint64_t>());
    } else if (value.is_number_integer()) {
      text = std::to_string(value.get<int64_t>());
    } else {
      text = fmt::format("{:g}", v == 0 ? 0.0 : v);  // -0 is 0
    }
  } else if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_array()) {
    for (const nlohmann::json& item : value) {
      if (!item.is_string() && !item.is_number_integer()) {
        throw ConfigError("knob '" + knob + "': a list of names or whole numbers, got " + Excerpt(item));
      }
      text += (text.empty() ? "" : ",") +
              (item.is_string() ? item.get<std::string>() : std::to_string(item.get<int64_t>()));
    }
    if (text.empty()) return text;  // --hidden '': a linear model (features: lever says what is missing)
  } else {
    throw ConfigError("knob '" + knob + "': a number, a name or a list, got " + Excerpt(value));
  }
  if ((text.empty() && !value.is_array()) || text.size() > 200 ||
      text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:_-+") !=
          std::string::npos) {
    throw ConfigError("knob '" + knob + "': " + QuoteExcerpt(text) + " is not a value (letters, digits, . , : _ -)");
  }
  return text;
}

// A column's name as a knob (label, plane): any text of 1 to 200 bytes without control bytes.
std::string ColumnName(const std::string& knob, const nlohmann::json& value) {
  if (!value.is_string()) throw ConfigError("knob '" + knob + "': a column's name, got " + Excerpt(value));
  const std::string text = value.get<std::string>();
  if (text.empty() || text.size() > 200 ||
      std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    throw ConfigError("knob '" + knob + "': " + QuoteExcerpt(text) + " is not a column's name");
  }
  return text;
}

// A word of a command line as a POSIX shell reads it: as it is when safe, else in single quotes.
std::string ShellWord(const std::string& word) {
  if (!word.empty() &&
      word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:_-+/=@%") ==
          std::string::npos) {
    return word;
  }
  std::string out = "'";
  for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// What the page's knobs ask for: `lever train` flags in the table's order (a table as its file's name), the
// uploaded table's id and the plane's columns.
struct KnobRequest {
  std::vector<std::string> args;
  std::string table;      // an uploaded table's id; empty: a Playground dataset
  PlaygroundPlane plane;  // a table's x and y columns (empty: the first two numeric ones)
};

// Knobs of a Playground dataset that a table does not take.
bool DatasetOnly(const std::string& knob) { return knob == "dataset" || knob == "noise" || knob == "features"; }

KnobRequest KnobArguments(const nlohmann::json& knobs,
                          const std::function<std::string(const std::string&)>& table_name) {
  if (!knobs.is_object()) throw ConfigError("the knobs must be a JSON object, e.g. {\"dataset\": \"spiral\"}");
  for (const auto& [name, value] : knobs.items()) {
    bool known = false;
    for (const KnobFlag& k : kKnobFlags) known = known || name == k.knob;
    if (!known) throw ConfigError("unknown knob " + QuoteExcerpt(name) + "; valid: " + KnobNames());
  }
  KnobRequest request;
  const bool table = knobs.contains("table") && !knobs["table"].is_null();
  if (!table && (knobs.contains("label") || knobs.contains("plane"))) {
    throw ConfigError("knobs 'label' and 'plane' are for an uploaded table (knob 'table')");
  }
  std::vector<std::string>& args = request.args;
  for (const KnobFlag& k : kKnobFlags) {
    const std::string knob = k.knob;
    if (!knobs.contains(knob) || knobs[knob].is_null()) continue;
    const nlohmann::json& value = knobs[knob];
    if (table && DatasetOnly(knob)) {
      throw ConfigError("knob '" + knob +
                        "' is for a Playground dataset; a table trains on every column but the label");
    }
    if (knob == "batch_norm") {
      if (!value.is_boolean()) throw ConfigError("knob 'batch_norm': true or false");
      if (value.get<bool>()) args.emplace_back(k.flag);
    } else if (knob == "table") {
      request.table = Word(knob, value);
      args.emplace_back(k.flag);
      args.push_back(table_name(request.table));
    } else if (knob == "label") {
      args.emplace_back(k.flag);
      args.push_back(ColumnName(knob, value));
    } else if (knob == "plane") {
      if (!value.is_array() || value.size() != 2) {
        throw ConfigError("knob 'plane': the table's two columns drawn as x and y, e.g. [\"age\", \"income\"]");
      }
      request.plane.x = ColumnName("plane", value[0]);
      request.plane.y = ColumnName("plane", value[1]);
    } else {
      args.emplace_back(k.flag);
      args.push_back(Word(knob, value));
    }
  }
  // A table is split by --train-percent (its default too), and trains without a holdout: early stopping
  // would keep earlier weights than the page shows.
  if (table) {
    if (!knobs.contains("train_percent") || knobs["train_percent"].is_null()) {
      const bool label = knobs.contains("label") && !knobs["label"].is_null();
      args.insert(args.begin() + (label ? 4 : 2), {"--train-percent", "50"});  // after --train-file and --label
    }
    args.emplace_back("--validation-split");
    args.emplace_back("0");
  }
  return request;
}

// A page's session: its run, the knobs it came from, and what the page asked for.
struct Slot {
  std::mutex mutex;
  std::condition_variable changed;
  std::unique_ptr<PlaygroundSession> session;
  std::vector<std::string> args;  // as the command line shows them (a table by its file's name)
  std::string table;              // an uploaded table's id
  PlaygroundPlane plane;
  uint64_t generation = 0;  // new data or run: the stream sends the points again
  bool playing = false;
  int64_t pending_steps = 0;    // "step": one pass over the training rows
  double steps_per_second = 0;  // 0: as fast as the machine goes
  double step_credit = 0;       // at a chosen speed: steps earned and not yet taken
  bool streaming = false;       // one stream per session
  bool closed = false;
  Clock::time_point last_seen = Clock::now();
};

std::string CommandLineOf(const Slot& slot) {
  std::string out = "lever train";
  for (const std::string& a : slot.args) out += " " + ShellWord(a);
  return out + fmt::format(" --steps {}", slot.session->step());
}

nlohmann::json Json(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) throw ConfigError("the request body is not JSON");
  return j;
}

// JSON text with bytes that are not UTF-8 (a Latin-1 table's names) replaced, never an exception.
std::string SafeDump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Reply(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(SafeDump(body), "application/json");
}

void ReplyError(httplib::Response& res, int status, const std::string& message) {
  Reply(res, status, {{"error", message}});
}

constexpr size_t kMaxBody = size_t{1} << 16;
constexpr size_t kMaxUpload = size_t{16} << 20;    // one uploaded table
constexpr size_t kMaxUploads = size_t{256} << 20;  // all of them together
constexpr size_t kMaxTables = 64;
constexpr const char* kNoSession = "no such session (closed, or the server restarted): reload the page";

// The request's body, read as it arrives and at most kMaxBody bytes, a chunked one too (httplib's payload
// limit checks only a declared length); beyond it, 413 is the reply and nothing more is read.
std::optional<std::string> Body(const httplib::Request& req, const httplib::ContentReader& reader,
                                httplib::Response& res, size_t max_body = kMaxBody) {
  std::string body;
  const std::string declared = req.get_header_value("Content-Length");
  const bool chunked = req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
  if (!chunked && (declared.empty() || declared == "0")) return body;  // no body
  if (!chunked && declared.find_first_not_of("0123456789") != std::string::npos) {
    ReplyError(res, 400, "Content-Length is not a number");
    return std::nullopt;
  }
  bool too_large = !chunked && (declared.size() > 9 || std::stoull(declared) > max_body);
  const bool read = !too_large && reader([&](const char* data, size_t length) {
    if (body.size() + length > max_body) {
      too_large = true;
      return false;
    }
    body.append(data, length);
    return true;
  });
  if (too_large) {
    ReplyError(res, 413,
               max_body == kMaxUpload
                   ? fmt::format("the table is larger than {} MiB: upload a sample of its rows", kMaxUpload >> 20)
                   : fmt::format("the request body is larger than {} bytes", max_body));
    res.set_header("Connection", "close");
    return std::nullopt;
  }
  if (!read) {
    ReplyError(res, 400, "the request body could not be read (cut short?)");
    res.set_header("Connection", "close");
    return std::nullopt;
  }
  return body;
}

using Reader = httplib::ContentReader;

// What a session's stream has sent the page.
struct StreamState {
  uint64_t generation = 0;
  int64_t step = -1;
  bool playing = false;
  Clock::time_point findings_at{};
  double rate = 0;  // steps per second measured
};

class Server {
 public:
  explicit Server(const PlaygroundFlags& flags) : flags_(flags) {}
  ~Server() {
    std::error_code error;
    if (!tables_dir_.empty()) std::filesystem::remove_all(tables_dir_, error);
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int Run() {
    SetGemmThreads(1);  // each page's training has its thread
    httplib::Server http;
    http.new_task_queue = [this] { return new httplib::ThreadPool(static_cast<size_t>(flags_.max_sessions) + 8); };
    http.set_payload_max_length(kMaxUpload);  // Body() holds every other request to kMaxBody
    // SO_REUSEADDR (a restart binds past TIME_WAIT), not httplib's default SO_REUSEPORT, with which a second
    // server on the same port would share it silently and answer half the requests with unknown sessions.
    http.set_socket_options([](socket_t socket) {
      const int yes = 1;
      setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    http.set_read_timeout(10);
    http.set_write_timeout(10);
    for (const PlaygroundAsset& asset : PlaygroundAssets()) {
      const std::string body(reinterpret_cast<const char*>(asset.data), asset.size);
      const std::string type = asset.content_type;
      const auto serve = [body, type](const httplib::Request&, httplib::Response& res) {
        res.set_header("Cache-Control", "no-store");
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_content(body, type);
      };
      http.Get("/" + std::string(asset.name), serve);
      if (std::string(asset.name) == "index.html") http.Get("/", serve);
    }
    http.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    http.Post("/api/sessions", [this](const httplib::Request& req, httplib::Response& res, const Reader& reader) {
      if (const auto body = Body(req, reader, res)) Create(*body, res);
    });
    http.Post("/api/tables", [this](const httplib::Request& req, httplib::Response& res, const Reader& reader) {
      if (const auto body = Body(req, reader, res, kMaxUpload)) Upload(req, *body, res);
    });
    http.Post(R"(/api/sessions/([0-9a-f]{16})/knobs)",
              [this](const httplib::Request& req, httplib::Response& res, const Reader& reader) {
                if (const auto body = Body(req, reader, res)) Knobs(req.matches[1], *body, res);
              });
    http.Post(R"(/api/sessions/([0-9a-f]{16})/control)",
              [this](const httplib::Request& req, httplib::Response& res, const Reader& reader) {
                if (const auto body = Body(req, reader, res)) Control(req.matches[1], *body, res);
              });
    http.Get(R"(/api/sessions/([0-9a-f]{16})/export)",
             [this](const httplib::Request& req, httplib::Response& res) { Export(req, res); });
    http.Get(R"(/api/sessions/([0-9a-f]{16})/command)",
             [this](const httplib::Request& req, httplib::Response& res) { CommandLine(req, res); });
    http.Get(R"(/api/sessions/([0-9a-f]{16})/events)",
             [this](const httplib::Request& req, httplib::Response& res) { Events(req, res); });
    http.Delete(R"(/api/sessions/([0-9a-f]{16}))", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Close(req.matches[1])) return ReplyError(res, 404, kNoSession);
      Reply(res, 200, {{"closed", true}});
    });
    // httplib's own replies (no such path, method, too long a URL or body) as JSON too.
    http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      const char* why = res.status == 404   ? "no such page or API path"
                        : res.status == 413 ? "the request body is too large"
                        : res.status == 414 ? "the URL is too long"
                                            : "a request this server does not understand";
      Reply(res, res.status, {{"error", why}});
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& error) {
        ReplyError(res, 500, error.what());
      }
    });
    const int port = flags_.port == 0 ? http.bind_to_any_port(flags_.host) : flags_.port;
    if (flags_.port != 0 && !http.bind_to_port(flags_.host, flags_.port)) {
      throw IoError(
          fmt::format("cannot listen on {}:{} (in use, or not an address of this machine); give another "
                      "--port or --host",
                      flags_.host, flags_.port));
    }
    if (port < 0) throw IoError("cannot listen on " + flags_.host + ": give another --host");
    if (flags_.host != "127.0.0.1" && flags_.host != "localhost" && flags_.host != "::1") {
      fmt::print(stderr,
                 "warning: --host {}: the playground is open to other machines on the network, with no "
                 "password\n",
                 flags_.host);
    }
    fmt::print("lever playground: http://{}:{}/  (Ctrl-C stops it)\n", flags_.host, port);
    Flush(stdout);
    // Ctrl-C or SIGTERM: the handler sets a flag (lever/train/stop_signal.h), this thread stops the server.
    StopSignalHandler stop;
    std::atomic<bool> done{false};
    std::thread stopper([this, &http, &stop, &done] {
      while (!done && !stop.requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      CloseAll();  // the streams end after their slice, so the server's threads can be joined
      http.stop();
    });
    std::thread reaper([this] { Reap(); });
    http.listen_after_bind();
    CloseAll();
    reaper.join();
    done = true;
    stopper.join();
    return 0;
  }

 private:
  void CloseAll() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      for (auto& [id, slot] : slots_) {
        const std::lock_guard<std::mutex> slot_lock(slot->mutex);
        slot->closed = true;
        slot->changed.notify_all();
      }
    }
    reaper_wake_.notify_all();
  }

  std::shared_ptr<Slot> Find(const std::string& id) {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto it = slots_.find(id);
    return it == slots_.end() ? nullptr : it->second;
  }

  // An uploaded table: its file in this server's private directory, and the name the page gave it.
  struct Table {
    std::string name, path;
    size_t bytes = 0;
    uint64_t order = 0;  // uploads before it
  };

  // The uploaded table `id`'s file name (ConfigError for an unknown id).
  std::string TableName(const std::string& id) {
    const std::lock_guard<std::mutex> lock(tables_mutex_);
    const auto it = tables_.find(id);
    if (it == tables_.end()) throw ConfigError("no such table (the server restarted?): upload it again");
    return it->second.name;
  }

  // `message` with a table's private path shown as the name the page gave it.
  std::string Scrub(std::string message, const std::string& id) {
    if (id.empty()) return message;
    const std::lock_guard<std::mutex> lock(tables_mutex_);
    const auto it = tables_.find(id);
    if (it == tables_.end()) return message;
    for (size_t at = message.find(it->second.path); at != std::string::npos;
         at = message.find(it->second.path, at + it->second.name.size())) {
      message.replace(at, it->second.path.size(), it->second.name);
    }
    return message;
  }

  // A new run from `lever train` flags, replacing the slot's (which stays when they are bad: ConfigError,
  // its message naming a table by the page's name for it).
  void Start(Slot& slot, KnobRequest request) {
    std::vector<std::string> run_args = request.args;
    if (!request.table.empty()) {
      std::string path;
      {
        const std::lock_guard<std::mutex> lock(tables_mutex_);
        const auto it = tables_.find(request.table);
        if (it == tables_.end()) throw ConfigError("no such table (the server restarted?): upload it again");
        path = it->second.path;
      }
      const auto flag = std::find(run_args.begin(), run_args.end(), "--train-file");
      if (flag != run_args.end() && flag + 1 != run_args.end()) *(flag + 1) = path;
    }
    try {
      slot.session =
          std::make_unique<PlaygroundSession>(TrainArguments(run_args, "knobs"), PlaygroundLimits{}, request.plane);
    } catch (const Error& e) {
      throw Error(Scrub(e.what(), request.table));  // the message as it was ("DataError: ..."), the path renamed
    }
    slot.args = std::move(request.args);
    slot.table = std::move(request.table);
    slot.plane = std::move(request.plane);
    ++slot.generation;
    slot.pending_steps = 0;
  }

  // A new run from the page's knobs.
  void Configure(Slot& slot, const nlohmann::json& knobs) {
    Start(slot, KnobArguments(knobs, [this](const std::string& id) { return TableName(id); }));
  }

  // The name the page and the command line show for an upload: its base name (control bytes dropped, at
  // most 100 bytes), as the user has the file; the command line quotes it where a shell needs that.
  static std::string DisplayName(std::string name) {
    const size_t slash = name.find_last_of("/\\");
    if (slash != std::string::npos) name = name.substr(slash + 1);
    std::erase_if(name, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
    if (name.size() > 100) name = name.substr(name.size() - 100);
    if (name.empty() || name == "." || name == "..") name = "table.csv";
    if (name[0] == '-') name = "./" + name;  // not a flag on the command line
    return name;
  }

  // A name for a file or a download: letters, digits, '.', '_' and '-' kept, anything else '_'.
  static std::string SafeName(std::string name) {
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
    }
    return name;
  }

  // Uploaded tables no page's run uses, oldest first, removed until `bytes` more fit (false: they do not).
  bool MakeRoom(size_t bytes) {
    std::set<std::string> used;
    std::vector<std::shared_ptr<Slot>> slots;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& [id, slot] : slots_) slots.push_back(slot);
    }
    for (const std::shared_ptr<Slot>& slot : slots) {
      const std::lock_guard<std::mutex> lock(slot->mutex);
      used.insert(slot->table);
    }
    const std::lock_guard<std::mutex> lock(tables_mutex_);
    const auto fits = [&] {
      size_t held = 0;
      for (const auto& [id, table] : tables_) held += table.bytes;
      return tables_.size() < kMaxTables && held + bytes <= kMaxUploads;
    };
    while (!fits()) {
      auto oldest = tables_.end();
      for (auto it = tables_.begin(); it != tables_.end(); ++it) {
        if (used.count(it->first) == 0 && (oldest == tables_.end() || it->second.order < oldest->second.order)) {
          oldest = it;
        }
      }
      if (oldest == tables_.end()) return false;
      std::error_code error;
      std::filesystem::remove_all(std::filesystem::path(oldest->second.path).parent_path(), error);
      tables_.erase(oldest);
    }
    return true;
  }

  // POST /api/tables?name=FILE.csv: a CSV table stored for this server's run; its columns and their types.
  void Upload(const httplib::Request& req, const std::string& body, httplib::Response& res) {
    const std::string name = DisplayName(req.has_param("name") ? req.get_param_value("name") : "table.csv");
    if (body.empty()) return ReplyError(res, 400, "the table is empty: upload a CSV file with a header row");
    if (!MakeRoom(body.size())) {
      return ReplyError(res, 429,
                        fmt::format("the pages' runs use {} uploaded tables ({} MiB at most) already: close a page "
                                    "that trains on a table, then upload again",
                                    kMaxTables, kMaxUploads >> 20));
    }
    std::string id, path;
    {
      const std::lock_guard<std::mutex> lock(tables_mutex_);
      if (tables_dir_.empty()) {
        std::string pattern = (std::filesystem::temp_directory_path() / "lever-playground-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
          return ReplyError(res, 507,
                            fmt::format("cannot make a directory for uploaded tables in {}: {}",
                                        std::filesystem::temp_directory_path().string(), std::strerror(errno)));
        }
        tables_dir_ = pattern;
      }
      std::random_device random;
      do {
        id = fmt::format("{:08x}{:08x}", random(), random());
      } while (tables_.count(id) > 0);
      const std::filesystem::path dir = std::filesystem::path(tables_dir_) / id;
      std::error_code error;
      std::filesystem::create_directory(dir, error);
      path = (dir / (name.ends_with(".tsv") ? "table.tsv" : "table.csv")).string();  // read as lever reads `name`
      std::FILE* file = error ? nullptr : std::fopen(path.c_str(), "wbx");
      const bool written = file != nullptr && std::fwrite(body.data(), 1, body.size(), file) == body.size();
      if ((file != nullptr && std::fclose(file) != 0) || !written) {
        std::filesystem::remove_all(dir, error);
        return ReplyError(res, 507, fmt::format("cannot store the table in {}: {}", tables_dir_, std::strerror(errno)));
      }
      tables_[id] = {name, path, body.size(), ++uploads_};
    }
    try {
      CsvOptions csv;
      if (name.ends_with(".tsv")) csv.delimiter = '\t';
      const InferredSchema inferred = InferSchema(path, csv, InferOptions{.sample_rows = 0});
      nlohmann::json columns = nlohmann::json::array();
      for (const ColumnSchema& c : inferred.schema.columns) {
        columns.push_back({{"name", c.name}, {"type", ColumnTypeName(c.type)}});
      }
      Reply(res, 201, {{"table", id}, {"name", name}, {"rows", inferred.rows_sampled}, {"columns", columns}});
    } catch (const Error& e) {
      const std::string message = Scrub(e.what(), id);
      RemoveTable(id);
      ReplyError(res, 400, message);
    }
  }

  void RemoveTable(const std::string& id) {
    const std::lock_guard<std::mutex> lock(tables_mutex_);
    const auto it = tables_.find(id);
    if (it == tables_.end()) return;
    std::error_code error;
    std::filesystem::remove_all(std::filesystem::path(it->second.path).parent_path(), error);
    tables_.erase(it);
  }

  void Create(const std::string& body, httplib::Response& res) {
    const auto full = [this] { return static_cast<int>(slots_.size()) >= flags_.max_sessions; };
    const std::string busy = "pages are training already (--max-sessions); close one and reload";
    {
      const std::lock_guard<std::mutex> lock(mutex_);  // refused before a run is built (its data, its grids)
      if (full()) return ReplyError(res, 503, fmt::format("{} {}", slots_.size(), busy));
    }
    auto slot = std::make_shared<Slot>();
    try {
      Configure(*slot, body.empty() ? nlohmann::json::object() : Json(body));
    } catch (const Error& e) {
      return ReplyError(res, 400, e.what());
    }
    std::string id;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      if (full()) return ReplyError(res, 503, fmt::format("{} {}", slots_.size(), busy));
      std::random_device random;
      do {
        id = fmt::format("{:08x}{:08x}", random(), random());
      } while (slots_.count(id) > 0);
      slots_[id] = slot;
    }
    Reply(res, 201, {{"id", id}, {"command", CommandLineOf(*slot)}});
  }

  void Knobs(const std::string& id, const std::string& body, httplib::Response& res) {
    const std::shared_ptr<Slot> slot = Find(id);
    if (!slot) return ReplyError(res, 404, kNoSession);
    const std::lock_guard<std::mutex> lock(slot->mutex);
    try {
      Configure(*slot, Json(body));
    } catch (const Error& e) {
      return ReplyError(res, 400, e.what());
    }
    slot->changed.notify_all();
    Reply(res, 200, {{"command", CommandLineOf(*slot)}});
  }

  void Control(const std::string& id, const std::string& text, httplib::Response& res) {
    const std::shared_ptr<Slot> slot = Find(id);
    if (!slot) return ReplyError(res, 404, kNoSession);
    nlohmann::json body;
    try {
      body = Json(text);
    } catch (const Error& e) {
      return ReplyError(res, 400, e.what());
    }
    const std::string action = body.is_object() && body["action"].is_string() ? body["action"].get<std::string>() : "";
    const std::lock_guard<std::mutex> lock(slot->mutex);
    if (body.is_object() && body.contains("steps_per_second")) {
      const nlohmann::json& speed = body["steps_per_second"];
      if (!speed.is_number() || !(speed.get<double>() >= 0) || speed.get<double>() > 1e9) {
        return ReplyError(res, 400, "steps_per_second: a number from 0 (as fast as it goes) to 1e9");
      }
      slot->steps_per_second = speed.get<double>();
      slot->step_credit = 0;
    }
    if (action == "play") {
      slot->playing = true;
    } else if (action == "pause") {
      slot->playing = false;
    } else if (action == "step") {
      slot->playing = false;
      // One pass over the training rows, as the Playground's step button.
      const int64_t rows = slot->session->train_rows();
      const int64_t batch = std::max<int64_t>(1, slot->session->batch_size());
      slot->pending_steps += std::max<int64_t>(1, (rows + batch - 1) / batch);
    } else if (action == "reset") {
      try {
        Start(*slot, {slot->args, slot->table, slot->plane});  // the same knobs, from step 0
      } catch (const Error& e) {
        return ReplyError(res, 400, e.what());
      }
    } else if (!action.empty() || !body.is_object() || !body.contains("steps_per_second")) {
      return ReplyError(res, 400, "action: play, pause, step or reset");
    }
    slot->changed.notify_all();
    Reply(res, 200, {{"playing", slot->playing}, {"step", slot->session->step()}});
  }

  // GET /api/sessions/ID/export: the run at its current step as a zip of lever/estimator/run_export.h's
  // directory (bundle/, run.yaml, train.csv, test.csv, command.txt: the page's command line).
  void Export(const httplib::Request& req, httplib::Response& res) {
    const std::shared_ptr<Slot> slot = Find(req.matches[1]);
    if (!slot) return ReplyError(res, 404, kNoSession);
    std::string pattern = (std::filesystem::temp_directory_path() / "lever-export-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return ReplyError(res, 507,
                        fmt::format("cannot make a directory for the export in {}: {}",
                                    std::filesystem::temp_directory_path().string(), std::strerror(errno)));
    }
    const std::filesystem::path work = pattern;
    struct Remove {  // the work directory goes however the export ends
      std::filesystem::path path;
      ~Remove() {
        std::error_code error;
        std::filesystem::remove_all(path, error);
      }
    } remove{work};
    // A message names the export's files by the zip's names, not by where the server wrote them.
    const auto scrub = [&](std::string message) {
      const std::string prefix = work.string() + "/";
      for (size_t at = message.find(prefix); at != std::string::npos; at = message.find(prefix, at)) {
        message.erase(at, prefix.size());
      }
      return Scrub(message, slot->table);
    };
    std::string zip, name;
    try {
      const std::lock_guard<std::mutex> lock(slot->mutex);  // no slice trains while the weights are read
      PlaygroundSession& session = *slot->session;
      if (session.diverged()) throw ConfigError("the run diverged: there is no model to export; reset it");
      const std::string command = CommandLineOf(*slot);
      // Named by the dataset or the table's file, made safe for a file name, and the step.
      std::string data = "run";
      for (size_t i = 0; i + 1 < slot->args.size(); ++i) {
        if (slot->args[i] == "--dataset" || slot->args[i] == "--train-file") {
          data = SafeName(slot->args[i + 1].substr(0, std::min<size_t>(slot->args[i + 1].find_last_of('.'), 60)));
        }
      }
      name = fmt::format("lever-{}-step{}", data, session.step());
      ExportRun(session.run(), (work / name).string(), name);
      WriteFileAtomically((work / name / "command.txt").string(), command + "\n");
      zip = ZipDirectory(work / name, name);
    } catch (const Error& e) {
      return ReplyError(res, 400, scrub(e.what()));
    } catch (const std::exception& e) {
      return ReplyError(res, 500, scrub(std::string("the export failed: ") + e.what()));
    }
    res.set_header("Content-Disposition", "attachment; filename=\"" + name + ".zip\"");
    res.set_header("Cache-Control", "no-store");
    res.set_content(zip, "application/zip");
  }

  void CommandLine(const httplib::Request& req, httplib::Response& res) {
    const std::shared_ptr<Slot> slot = Find(req.matches[1]);
    if (!slot) return ReplyError(res, 404, kNoSession);
    const std::lock_guard<std::mutex> lock(slot->mutex);
    Reply(res, 200, {{"command", CommandLineOf(*slot)}, {"step", slot->session->step()}});
  }

  // The session's stream: "data" events (the points and the command) when the run is new, "frame" events
  // a few dozen times a second while it trains, and a comment every second while it waits.
  void Events(const httplib::Request& req, httplib::Response& res) {
    const std::shared_ptr<Slot> slot = Find(req.matches[1]);
    if (!slot) return ReplyError(res, 404, kNoSession);
    {
      const std::lock_guard<std::mutex> lock(slot->mutex);
      if (slot->streaming) return ReplyError(res, 409, "this session is already streaming to a page");
      slot->streaming = true;
    }
    res.set_header("Cache-Control", "no-store");
    struct Stream : StreamState {
      std::shared_ptr<Slot> slot;
      ~Stream() {
        const std::lock_guard<std::mutex> lock(slot->mutex);
        slot->streaming = false;
        slot->last_seen = Clock::now();
      }
    };
    auto stream = std::make_shared<Stream>();
    stream->slot = slot;
    res.set_chunked_content_provider(
        "text/event-stream", [stream](size_t, httplib::DataSink& sink) { return Pump(*stream->slot, *stream, sink); });
  }

  // One round of a stream: train a slice when playing, then send what changed. False ends the stream.
  static bool Pump(Slot& slot, StreamState& sent, httplib::DataSink& sink) {
    uint64_t& sent_generation = sent.generation;
    int64_t& sent_step = sent.step;
    Clock::time_point& findings_at = sent.findings_at;
    double& rate = sent.rate;
    constexpr auto kSlice = std::chrono::milliseconds(30);
    std::string out;
    {
      std::unique_lock<std::mutex> lock(slot.mutex);
      slot.last_seen = Clock::now();
      if (slot.closed) return false;
      PlaygroundSession& s = *slot.session;
      const bool idle = (!slot.playing && slot.pending_steps == 0) || s.diverged() || s.at_limit();
      if (idle && sent_generation == slot.generation && sent_step == s.step() && sent.playing == slot.playing) {
        slot.changed.wait_for(lock, std::chrono::seconds(1));
        if (slot.closed) return false;
        if (slot.generation == sent_generation && !slot.playing && slot.pending_steps == 0 &&
            sent.playing == slot.playing) {
          lock.unlock();
          return sink.write(": waiting\n\n", 11);
        }
      }
      PlaygroundSession& session = *slot.session;
      if (sent_generation != slot.generation) {
        nlohmann::json data = session.Points();
        data["command"] = CommandLineOf(slot);
        out += "event: data\ndata: " + SafeDump(data) + "\n\n";
        sent_generation = slot.generation;
        sent_step = -1;
      }
      const auto start = Clock::now();
      // A slice holds the session's lock: at most the steps that fit in kSlice at the measured rate (50
      // before it is measured), so a knob, a pause or a stop waits one slice at most.
      const double seconds = std::chrono::duration<double>(kSlice).count();
      const int64_t fit = std::clamp<int64_t>(rate > 0 ? static_cast<int64_t>(rate * seconds) : 50, 1, 1'000'000);
      int64_t steps = 0;
      if (slot.pending_steps > 0) {
        steps = std::min(slot.pending_steps, fit);
      } else if (slot.playing && !session.diverged() && !session.at_limit()) {
        steps = fit;
        if (slot.steps_per_second > 0) {  // a chosen speed: whole steps as the time earns them
          slot.step_credit = std::min(slot.step_credit + slot.steps_per_second * seconds, 1e9);
          steps = std::min(fit, static_cast<int64_t>(slot.step_credit));
          slot.step_credit -= static_cast<double>(steps);
        }
      }
      if (steps > 0) {
        const int64_t taken = session.Advance(steps);
        if (slot.pending_steps > 0) slot.pending_steps -= std::min(slot.pending_steps, taken);
        const double spent = std::chrono::duration<double>(Clock::now() - start).count();
        if (taken > 0 && spent > 0) rate = rate > 0 ? 0.5 * rate + 0.5 * taken / spent : taken / spent;
        if (session.diverged() || session.at_limit()) slot.playing = false, slot.pending_steps = 0;
      }
      if (session.step() != sent_step || !out.empty() || sent.playing != slot.playing) {
        nlohmann::json frame = session.Frame();
        frame["playing"] = slot.playing;
        frame["steps_per_second"] = rate;
        const bool stopped = session.diverged() || session.at_limit() || !slot.playing;
        if (stopped || Clock::now() - findings_at > std::chrono::milliseconds(500)) {
          frame["doctor"] = session.Findings();
          findings_at = Clock::now();
        }
        out += "event: frame\ndata: " + SafeDump(frame) + "\n\n";
        sent_step = session.step();
        sent.playing = slot.playing;
      }
      // At a chosen speed, the rest of the slice is waited out.
      if (slot.steps_per_second > 0) slot.changed.wait_until(lock, start + kSlice);
    }
    return out.empty() || sink.write(out.data(), out.size());
  }

  bool Close(const std::string& id) {
    std::shared_ptr<Slot> slot;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      const auto it = slots_.find(id);
      if (it == slots_.end()) return false;
      slot = it->second;
      slots_.erase(it);
    }
    const std::lock_guard<std::mutex> lock(slot->mutex);
    slot->closed = true;
    slot->changed.notify_all();
    return true;
  }

  // Sessions whose page went away (no stream for two minutes) are closed.
  void Reap() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      reaper_wake_.wait_for(lock, std::chrono::seconds(10));
      for (auto it = slots_.begin(); it != slots_.end();) {
        Slot& slot = *it->second;
        // A session busy training is alive; waiting for it here would hold every request's lookup.
        const std::unique_lock<std::mutex> slot_lock(slot.mutex, std::try_to_lock);
        if (slot_lock.owns_lock() && !slot.streaming && Clock::now() - slot.last_seen > std::chrono::minutes(2)) {
          slot.closed = true;
          it = slots_.erase(it);
        } else {
          ++it;
        }
      }
    }
  }

  PlaygroundFlags flags_;
  std::mutex tables_mutex_;  // taken alone, or inside a slot's mutex (never the other way)
  std::map<std::string, Table> tables_;
  std::string tables_dir_;  // made at the first upload, removed when the server ends
  uint64_t uploads_ = 0;
  std::mutex mutex_;
  std::condition_variable reaper_wake_;
  std::map<std::string, std::shared_ptr<Slot>> slots_;
  bool stopping_ = false;
};

}  // namespace

Command RegisterPlayground(CLI::App& app) {
  auto f = std::make_shared<PlaygroundFlags>();
  CLI::App* cmd = app.add_subcommand(
      "playground", "Serve the TensorFlow Playground's page: turn the knobs in a browser and watch lever train");
  cmd->add_option("--port", f->port, "the port to listen on (0: any free one, printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--host", f->host,
                  "the address to listen on; anything but 127.0.0.1 opens the playground to other machines")
      ->capture_default_str();
  cmd->add_option("--max-sessions", f->max_sessions, "pages training at once (each on its own thread)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  return [f] { return Server(*f).Run(); };
}

}  // namespace lever::cli
