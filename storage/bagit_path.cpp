#include "storage/bagit_path.h"

#include <cctype>

namespace dangan {

std::string EncodeManifestPath(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == '%')
      out += "%25";
    else if (c == '\n')
      out += "%0A";
    else if (c == '\r')
      out += "%0D";
    else
      out += c;
  }
  return out;
}

std::string DecodeManifestPath(std::string_view raw, bool* stray_percent) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size()) {
      std::string code(raw.substr(i + 1, 2));
      for (auto& c : code) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (code == "0a") {
        out += '\n';
        i += 2;
        continue;
      }
      if (code == "0d") {
        out += '\r';
        i += 2;
        continue;
      }
      if (code == "25") {
        out += '%';
        i += 2;
        continue;
      }
    }
    if (raw[i] == '%' && stray_percent) *stray_percent = true;
    out += raw[i];
  }
  return out;
}

}  // namespace dangan
