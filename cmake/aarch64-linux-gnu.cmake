# CMake toolchain for the arm64 Debian package (make package-arm64, DESIGN.md §13): cross-builds on
# an amd64 Debian 12 machine with multiarch (scripts/install-deps-arm64 installs
# crossbuild-essential-arm64 and the `:arm64` -dev packages). Libraries and headers come from the
# multiarch directories (/usr/lib/aarch64-linux-gnu, /usr/include/aarch64-linux-gnu); programs that
# run during the build (protoc) are the host's. Test binaries run under qemu-user, so
# catch_discover_tests can list them and `ctest` runs them (make test-arm64).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Search libraries, headers and CMake packages for the target only; programs on the host.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# pkg-config reads only the arm64 .pc files (the host's would hand out x86_64 library paths).
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

# The arm64 loader and libraries are installed by multiarch (/lib/ld-linux-aarch64.so.1), so
# qemu needs no -L sysroot.
find_program(FLEETCLIP_QEMU_AARCH64 qemu-aarch64-static qemu-aarch64)
if(FLEETCLIP_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${FLEETCLIP_QEMU_AARCH64})
endif()

