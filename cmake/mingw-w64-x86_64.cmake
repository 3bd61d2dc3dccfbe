# Cross-compiling hostprocess for Windows (x86-64) with Debian's MinGW-w64 GCC, posix thread
# flavour: the default `-win32` flavour of GCC 12 has no std::thread. Used by
# `scripts/build.sh windows` (docs/windows.md).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(HP_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${HP_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${HP_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${HP_MINGW_TRIPLE}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${HP_MINGW_TRIPLE})
# Programs from the build machine; libraries and headers only from the MinGW sysroot, so that
# nothing of glibc's /usr/include leaks into a Windows binary.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# One self-contained .exe: no libstdc++/libgcc/winpthread DLLs to ship next to it.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
