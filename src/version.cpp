#include "lever/version.h"

namespace lever {

const char* Version() { return LEVER_VERSION; }

}  // namespace lever
