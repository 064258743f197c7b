// Messages that may quote user input: never a secret, never huge, always valid UTF-8.
//
// Contract
//  - excerpt(): `text` itself when at most max_bytes long, else its first bytes (cut at a
//    UTF-8 character boundary) and "... (N bytes)". A 10 MB bad value is never echoed whole.
//  - safe_message(): every occurrence of each secret (3 bytes or more: shorter ones would
//    mangle ordinary words) replaced by "<redacted>", then cut to max_bytes at a character
//    boundary with a note of how much was left out. The input is UTF-8 (JSON text, Python
//    str, our own messages); cutting never splits a character.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace carbontracker::tracker {

inline constexpr std::size_t kMaxExcerptBytes = 120;
inline constexpr std::size_t kMaxMessageBytes = 2000;

std::string excerpt(std::string_view text, std::size_t max_bytes = kMaxExcerptBytes);
// `message` with every occurrence of `quoted` (an input the message echoes) longer than
// kMaxExcerptBytes replaced by its excerpt().
std::string shorten_echo(std::string message, const std::string& quoted);
std::string safe_message(std::string text, const std::vector<std::string>& secrets,
                         std::size_t max_bytes = kMaxMessageBytes);

}  // namespace carbontracker::tracker
