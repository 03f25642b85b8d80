# The image libraries the core decodes with, compiled from Debian's source packages (scripts/setup.sh
# fetches them into third_party/, which git ignores) into the native and the wasm build alike, so that
# page, workers, predictor and training cache decode with the same code:
#   xr_zlib   zlib 1.2.13's decompressor (TIFF's Deflate), symbols prefixed (Z_PREFIX)
#   xr_webp   libwebp 1.2.4, its decoder only (WebP lossy and lossless)
#   xr_tiff   libtiff 4.5.0's reading half with LZW, PackBits and Deflate; its memory goes through the core's
#             budget (src/core/tiff_platform.cpp provides the platform functions instead of tif_unix.c;
#             src/core/tiff_read_only.cpp stands in for the writing half, left out)
#   xr_jpeg12 libjpeg-turbo 2.1.5 built for 12-bit samples (JPEG extended, process 4: DICOM 1.2.840.10008.1.2.4.51)
# The configuration headers libtiff's and libjpeg-turbo's own CMake would write are in cmake/tiff and cmake/jpeg12.
set(XR_THIRD_PARTY "${CMAKE_SOURCE_DIR}/third_party" CACHE PATH "Folder holding zlib, libwebp, tiff, libjpeg-turbo sources")
foreach(dir zlib libwebp tiff libjpeg-turbo)
  if(NOT EXISTS "${XR_THIRD_PARTY}/${dir}")
    message(FATAL_ERROR "${XR_THIRD_PARTY}/${dir} not found; run scripts/setup.sh")
  endif()
  # which Debian source version this build compiles (scripts/lib/fetch_source.sh writes it)
  if(EXISTS "${XR_THIRD_PARTY}/${dir}/XRAYLENS_SOURCE")
    file(STRINGS "${XR_THIRD_PARTY}/${dir}/XRAYLENS_SOURCE" xr_src_version LIMIT_COUNT 1)
    message(STATUS "third_party/${dir}: ${xr_src_version}")
  endif()
endforeach()

set(Z "${XR_THIRD_PARTY}/zlib")
add_library(xr_zlib STATIC ${Z}/adler32.c ${Z}/crc32.c ${Z}/inffast.c ${Z}/inflate.c
  ${Z}/inftrees.c ${Z}/zutil.c)
target_include_directories(xr_zlib SYSTEM PUBLIC ${Z})
target_compile_definitions(xr_zlib PUBLIC Z_PREFIX PRIVATE HAVE_UNISTD_H)
target_compile_options(xr_zlib PRIVATE -w)

set(W "${XR_THIRD_PARTY}/libwebp/src")
file(GLOB XR_WEBP_SOURCES ${W}/dec/*.c ${W}/dsp/*.c ${W}/utils/*.c)
list(FILTER XR_WEBP_SOURCES EXCLUDE REGEX "/(dsp/(cost|enc|lossless_enc|ssim)[^/]*|utils/(bit_writer|huffman_encode|quant_levels)_utils)\\.c$")
add_library(xr_webp STATIC ${XR_WEBP_SOURCES})
target_include_directories(xr_webp SYSTEM PUBLIC ${W} PRIVATE ${XR_THIRD_PARTY}/libwebp)
target_compile_options(xr_webp PRIVATE -w)
if(NOT EMSCRIPTEN)
  # libwebp initialises its function tables once, under a mutex only with WEBP_USE_THREAD: without it two
  # threads (cxr-prep --jobs) race and one decodes with a table half set. The wasm core runs one thread.
  find_package(Threads REQUIRED)
  target_compile_definitions(xr_webp PRIVATE WEBP_USE_THREAD)
  target_link_libraries(xr_webp PUBLIC Threads::Threads)
endif()

set(T "${XR_THIRD_PARTY}/tiff/libtiff")
add_library(xr_tiff STATIC
  ${T}/tif_aux.c ${T}/tif_close.c ${T}/tif_codec.c ${T}/tif_color.c ${T}/tif_compress.c ${T}/tif_dir.c
  ${T}/tif_dirinfo.c ${T}/tif_dirread.c ${T}/tif_dumpmode.c ${T}/tif_error.c
  ${T}/tif_extension.c ${T}/tif_getimage.c ${T}/tif_hash_set.c ${T}/tif_lzw.c
  ${T}/tif_open.c ${T}/tif_packbits.c ${T}/tif_predict.c ${T}/tif_print.c ${T}/tif_read.c ${T}/tif_strip.c
  ${T}/tif_swab.c ${T}/tif_tile.c ${T}/tif_version.c ${T}/tif_warning.c ${T}/tif_zip.c
  ${CMAKE_SOURCE_DIR}/src/core/tiff_platform.cpp ${CMAKE_SOURCE_DIR}/src/core/tiff_read_only.cpp)
target_include_directories(xr_tiff SYSTEM PUBLIC ${T} ${CMAKE_SOURCE_DIR}/cmake/tiff)
target_link_libraries(xr_tiff PUBLIC xr_zlib xr_alloc)
# libtiff 4.5.0's LZW decoder reads its input 8 bytes at a time with an unaligned load on x86-64 (on
# purpose: x86 allows it; other targets, wasm among them, take a memcpy). UBSan's alignment check would
# fail every fuzz run that reaches it (tests/fuzz/README.md, "Known and accepted"); the other checks stay.
set_source_files_properties(${T}/tif_lzw.c PROPERTIES COMPILE_OPTIONS "-fno-sanitize=alignment")
target_compile_options(xr_tiff PRIVATE -w)

set(J "${XR_THIRD_PARTY}/libjpeg-turbo")
set(XR_JPEG12_GEN "${CMAKE_BINARY_DIR}/generated/jpeg12")
set(COPYRIGHT_YEAR "1991-2023")
configure_file(${J}/jversion.h.in ${XR_JPEG12_GEN}/jversion.h @ONLY)  # rewritten only when it changes
add_library(xr_jpeg12 STATIC
  ${J}/jcomapi.c ${J}/jdapimin.c ${J}/jdapistd.c ${J}/jdatasrc.c ${J}/jdcoefct.c ${J}/jdcolor.c
  ${J}/jddctmgr.c ${J}/jdhuff.c ${J}/jdinput.c ${J}/jdmainct.c ${J}/jdmarker.c ${J}/jdmaster.c ${J}/jdmerge.c
  ${J}/jdphuff.c ${J}/jdpostct.c ${J}/jdsample.c ${J}/jdtrans.c ${J}/jerror.c ${J}/jidctflt.c ${J}/jidctfst.c
  ${J}/jidctint.c ${J}/jidctred.c ${J}/jquant1.c ${J}/jquant2.c ${J}/jutils.c ${J}/jmemmgr.c ${J}/jmemnobs.c
  ${J}/jsimd_none.c)
target_include_directories(xr_jpeg12 SYSTEM PUBLIC ${CMAKE_SOURCE_DIR}/cmake/jpeg12 ${J} PRIVATE ${XR_JPEG12_GEN})
target_compile_options(xr_jpeg12 PRIVATE -w)

# In the wasm core these libraries are most of the download: optimise them for size there (the pixels
# they give are the same; the page decodes one image at a time).
if(EMSCRIPTEN)
  foreach(lib xr_zlib xr_webp xr_tiff xr_jpeg12)
    target_compile_options(${lib} PRIVATE -Os)
  endforeach()
endif()
