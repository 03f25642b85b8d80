// The core reads TIFF and never writes one: libtiff's writing half (tif_write.c, tif_dirwrite.c, tif_flush.c)
// and zlib's compressor (deflate.c, trees.c) are left out of the build (cmake/third_party.cmake), which saves
// about 14 KB of the page's gzipped download. These are the functions the reading half still names: libtiff
// calls them only for a file opened for writing ("w", "a", "r+"), which the core never does (decode_tiff.cpp
// opens with "r"); each fails should it be reached.
#include <tiffio.h>
#include <zlib.h>

extern "C" {

int TIFFFlush(TIFF* tif) {
  TIFFErrorExtR(tif, "TIFFFlush", "this build of libtiff reads only");
  return 0;
}

int TIFFFlushData1(TIFF* tif) {
  TIFFErrorExtR(tif, "TIFFFlushData1", "this build of libtiff reads only");
  return 0;
}

int TIFFSetupStrips(TIFF* tif) {
  TIFFErrorExtR(tif, "TIFFSetupStrips", "this build of libtiff reads only");
  return 0;
}

// zlib's compressor, named by libtiff's Deflate encoder (tif_zip.c)
int deflateInit_(z_streamp, int, const char*, int) { return Z_STREAM_ERROR; }
int deflate(z_streamp, int) { return Z_STREAM_ERROR; }
int deflateEnd(z_streamp) { return Z_STREAM_ERROR; }
int deflateParams(z_streamp, int, int) { return Z_STREAM_ERROR; }
int deflateReset(z_streamp) { return Z_STREAM_ERROR; }

}  // extern "C"
