// PasswordHash: salted, deliberately slow password hashes (PBKDF2-HMAC-SHA256 through OpenSSL)
// in a self-describing text form, "pbkdf2-sha256$ITERATIONS$SALT$HASH" (Base64), so the cost can
// be raised later without invalidating stored hashes. Pure functions; thread-safe.
#pragma once

#include <string>

#include "archive/status.h"

namespace dangan {

// OWASP's 2023 figure for PBKDF2-HMAC-SHA256: about a quarter second per guess here.
inline constexpr int kPasswordIterations = 600000;

// Refuses passwords shorter than 8 or longer than 1024 bytes.
Result<std::string> HashPassword(const std::string& password, int iterations = kPasswordIterations);
// Compares in constant time; a malformed stored value never matches.
bool PasswordMatches(const std::string& password, const std::string& stored);

}  // namespace dangan
