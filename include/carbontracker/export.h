/* What libcarbontracker.so exports. The library is built with hidden visibility
   (-fvisibility=hidden -fvisibility-inlines-hidden): only declarations marked CARBONTRACKER_API
   are visible to programs, namely the C API (ct_*) and the C++ API's Tracker, Config, results,
   errors and the types they need (SharedLibrary.ExportsOnlyThePublicApi in tests/capi/capi_library_test.cpp checks the list).
   Classes are marked whole, so their type info and vtables are exported and exceptions and
   virtual calls work across the library boundary. C and C++. */
#ifndef CARBONTRACKER_EXPORT_H
#define CARBONTRACKER_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define CARBONTRACKER_API __attribute__((visibility("default")))
#else
#define CARBONTRACKER_API
#endif

#endif /* CARBONTRACKER_EXPORT_H */
