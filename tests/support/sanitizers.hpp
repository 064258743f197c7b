// Whether this translation unit is built with AddressSanitizer or ThreadSanitizer, for tests that
// scale their work down under a sanitizer (a shorter load run, a sparser allocation survey; never
// a skipped check). gcc defines __SANITIZE_ADDRESS__ / __SANITIZE_THREAD__; clang 14 (the `asan`
// preset's compiler) defines neither and answers __has_feature instead.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define CARBONTRACKER_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CARBONTRACKER_TEST_ASAN 1
#endif
#endif
#ifndef CARBONTRACKER_TEST_ASAN
#define CARBONTRACKER_TEST_ASAN 0
#endif

#if defined(__SANITIZE_THREAD__)
#define CARBONTRACKER_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CARBONTRACKER_TEST_TSAN 1
#endif
#endif
#ifndef CARBONTRACKER_TEST_TSAN
#define CARBONTRACKER_TEST_TSAN 0
#endif
