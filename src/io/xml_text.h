#pragma once
// Text placed in XML (the SVG plots of studies and sweeps), internal.
#include <string>

namespace lever {

/// `text` with &, <, > and " written as entities, for an element's text or an attribute's value.
std::string EscapeXml(const std::string& text);

}  // namespace lever
