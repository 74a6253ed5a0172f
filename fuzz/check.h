// FUZZ_CHECK for the harnesses in fuzz/: a broken invariant prints what broke (file, line, the
// condition and a detail) and traps, so libFuzzer saves the input and the log says why.
#pragma once

#include <cstdio>
#include <string>

#define FUZZ_CHECK(cond, detail)                                                            \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: %s\n", __FILE__, __LINE__, #cond, \
                   std::string(detail).c_str());                                            \
      __builtin_trap();                                                                     \
    }                                                                                       \
  } while (0)
