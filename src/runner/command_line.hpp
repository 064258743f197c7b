// The command `carbontracker run` wraps, before it starts: can it be started at all, and how it
// is written into logs and summaries.
//
// Contract
//  - precheck_start(): what execvp would find for argv[0] (exec_candidates' rules): nullopt when
//    some candidate is an executable regular file (or a directory/file we cannot judge: spawn
//    decides), else exit code 127 (not found) or 126 (found, not executable) and the reason, in
//    spawn_child's words. It only reads file metadata; nothing is run.
//  - masked_command(): the argv with secrets replaced by "***", for logs and summaries. The rule
//    (docs/run-mode.md): an argument NAME=VALUE or --NAME=VALUE whose NAME contains a secret word
//    (key, token, secret, password, passwd, pwd, auth, credential, cookie; case-insensitive)
//    keeps NAME and masks VALUE; an option -NAME/--NAME with such a word masks the next argument;
//    a URL's user:password@ has its password masked. Over-masking is accepted; a secret must not
//    leak.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace carbontracker::runner {

struct StartProblem {
  int exit_code = 127;
  std::string reason;
};

std::optional<StartProblem> precheck_start(const std::string& file, const char* path_env);

std::vector<std::string> masked_command(const std::vector<std::string>& argv);

}  // namespace carbontracker::runner
