/* libjpeg-turbo 2.1.5's jconfig.h for its 12-bit build (XRayLens reads 12-bit JPEG with it: DICOM's
   JPEG Extended, process 4); written by hand instead of libjpeg-turbo's CMake (cmake/third_party.cmake). */
#define JPEG_LIB_VERSION 62
#define LIBJPEG_TURBO_VERSION 2.1.5
#define LIBJPEG_TURBO_VERSION_NUMBER 2001005
#define MEM_SRCDST_SUPPORTED 1
#define BITS_IN_JSAMPLE 12
