// One configuration of stb for the whole core: PNG and JPEG only (the formats the app reads).
#pragma once
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STBI_NO_HDR
#define STBI_NO_LINEAR
#include <stb_image.h>
#include <stb_image_write.h>
