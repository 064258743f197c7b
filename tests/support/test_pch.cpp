// Builds tests/support/test_pch.hpp's precompiled header, which every test target reuses; the
// program itself is never run.
int main() { return 0; }
