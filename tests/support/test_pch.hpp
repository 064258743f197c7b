// The headers most test files include, precompiled once (tests/CMakeLists.txt,
// carbontracker_test_compile_settings) and reused by every test target. Only third-party and
// standard headers: a project header here would make every test rebuild when it changes.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
