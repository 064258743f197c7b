#include "tracker/safe_text.hpp"

#include <fmt/format.h>

namespace carbontracker::tracker {
namespace {

// The longest prefix of at most n bytes that does not end inside a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t n) {
  if (text.size() <= n) return text;
  std::size_t end = n;
  // Step back over continuation bytes (10xxxxxx) to the lead byte, and drop that too.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace

std::string excerpt(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  return fmt::format("{}... ({} bytes)", utf8_prefix(text, max_bytes), text.size());
}

std::string shorten_echo(std::string message, const std::string& quoted) {
  if (quoted.size() <= kMaxExcerptBytes) return message;
  const std::string short_form = excerpt(quoted);
  for (auto p = message.find(quoted); p != std::string::npos; p = message.find(quoted, p + short_form.size())) {
    message.replace(p, quoted.size(), short_form);
  }
  return message;
}

std::string safe_message(std::string text, const std::vector<std::string>& secrets, std::size_t max_bytes) {
  for (const auto& s : secrets) {
    if (s.size() < 3) continue;
    for (auto p = text.find(s); p != std::string::npos; p = text.find(s, p + 10)) text.replace(p, s.size(), "<redacted>");
  }
  if (text.size() <= max_bytes) return text;
  const std::string_view kept = utf8_prefix(text, max_bytes);
  return fmt::format("{} [message cut: {} more bytes]", kept, text.size() - kept.size());
}

}  // namespace carbontracker::tracker
