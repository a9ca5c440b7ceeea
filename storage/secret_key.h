// The archive's secret: 32 random bytes in <root>/secret.key (mode 0600), created on first use.
// It keys the HMACs of intake receipts and certificate codes, so they can be checked later
// without trusting the holder. Thread-safe (creation is atomic: temp file, link, no overwrite).
#pragma once

#include <string>

#include "archive/status.h"

namespace dangan {

Result<std::string> LoadOrCreateSecret(const std::string& root);

// Hex HMAC-SHA256 of `message` under `key` (OpenSSL).
std::string HmacSha256Hex(const std::string& key, const std::string& message);

// Compares two strings in time independent of where they differ.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

}  // namespace dangan
