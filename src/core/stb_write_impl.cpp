// stb_image_write's implementation, compiled once: the labelled copy's PNG encoder (and the JPEG
// writer the native tests make fixtures with). Apart from stb_impl.cpp because its JPEG bit writer
// shifts a signed int left past its sign (defined in C++20, undefined in C++17): CMakeLists.txt
// leaves that one check out of the sanitizer builds for this file only.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include "stb_config.h"
