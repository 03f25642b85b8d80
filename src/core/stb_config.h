// One configuration of stb for the whole core: the formats the core reads with stb_image (decode.cpp);
// WebP, TIFF and 12-bit JPEG have their own libraries (cmake/third_party.cmake).
#pragma once
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF
#define STBI_ONLY_TGA
#define STBI_ONLY_PNM
#define STBI_NO_STDIO
#define STBI_NO_HDR
#define STBI_NO_LINEAR
#include <stb_image.h>
#include <stb_image_write.h>
