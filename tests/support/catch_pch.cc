// The translation unit that owns the precompiled catch.hpp the test binaries reuse
// (CMakeLists.txt: fleetclip_catch_pch). It has no code of its own.
