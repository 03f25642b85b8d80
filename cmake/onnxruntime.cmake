# ONNX Runtime 1.13.1 as a wasm static library, the analysis on top of it, and the models as .ort.
# The library is built once per machine outside the clone by scripts/ort/build_ort.sh (cached under
# ${XDG_CACHE_HOME:-~/.cache}/xraylens/, keyed by the source bundle, the operator config and the flags);
# the operator config is made here from the shipped models, so new models with new operators make a
# new build and new models with the same operators reuse the cached one.
set(XRAYLENS_ORT_DIR "" CACHE PATH "An ORT install from scripts/ort/build_ort.sh (empty: build or reuse the cached one)")
set(XRAYLENS_ORT_MODE "full" CACHE STRING "full (loads .onnx and .ort, converts) or minimal (.ort only)")
file(GLOB XR_ONNX_MODELS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/models/*.onnx)
# a model replaced under the same name re-runs this configure too (its operators may differ)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${XR_ONNX_MODELS})

if(NOT XRAYLENS_ORT_DIR)
  set(XR_ORT_CONFIG ${CMAKE_BINARY_DIR}/ort-ops.config)
  execute_process(COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/scripts/ort/ops_config.py ${XR_ORT_CONFIG} ${XR_ONNX_MODELS}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "could not make ORT's operator config from models/*.onnx (scripts/ort/ops_config.py)")
  endif()
  message(STATUS "ONNX Runtime: building or reusing the cached library (the first build: about 45 min on two busy cores)")
  execute_process(COMMAND ${CMAKE_SOURCE_DIR}/scripts/ort/build_ort.sh ${XR_ORT_CONFIG} ${XRAYLENS_ORT_MODE}
    OUTPUT_VARIABLE XR_ORT_FOUND OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ONNX Runtime build failed (scripts/ort/build_ort.sh; its log is in the cache folder)")
  endif()
else()
  set(XR_ORT_FOUND ${XRAYLENS_ORT_DIR})
endif()
if(NOT EXISTS ${XR_ORT_FOUND}/lib/libonnxruntime_webassembly.a OR NOT EXISTS ${XR_ORT_FOUND}/include/onnxruntime_c_api.h)
  message(FATAL_ERROR "no ONNX Runtime library in ${XR_ORT_FOUND} (lib/libonnxruntime_webassembly.a, include/)")
endif()
message(STATUS "ONNX Runtime: ${XR_ORT_FOUND}")

add_library(onnxruntime_wasm STATIC IMPORTED)
set_target_properties(onnxruntime_wasm PROPERTIES
  IMPORTED_LOCATION ${XR_ORT_FOUND}/lib/libonnxruntime_webassembly.a
  INTERFACE_INCLUDE_DIRECTORIES ${XR_ORT_FOUND}/include)

# src/analysis: the analysis of one image (gate, lungs, classifiers, CAM, verdicts) with ORT.
add_library(xranalysis STATIC src/analysis/analysis.cpp src/analysis/ort_model.cpp)
target_include_directories(xranalysis PUBLIC src/analysis)
target_link_libraries(xranalysis PUBLIC xrcore onnxruntime_wasm)
target_compile_options(xranalysis PRIVATE -Wall -Wextra -msimd128)
# ORT's library is LLVM bitcode (-flto): link with LTO. The link's level is the level ORT's code is
# finally optimised at: -O3 against -Os made Model 1 35% faster under Node (40.3 -> 26.1 ms) and session
# start-up 30% (559 -> 388 ms) for 26 KB more gzipped (tools/bench_analysis.mjs, docs/ANALYSIS.md).
set(XR_ORT_LINK -flto -O3 -msimd128)

# .onnx -> .ort at build time, by the same ORT build (tools/ort_convert.cpp under Node).
if(XRAYLENS_ORT_MODE STREQUAL "full")
  add_executable(ort_convert tools/ort_convert.cpp src/analysis/ort_model.cpp)
  target_include_directories(ort_convert PRIVATE src/analysis tools)
  target_link_libraries(ort_convert PRIVATE onnxruntime_wasm)
  target_link_options(ort_convert PRIVATE ${XR_ORT_LINK} -sNODERAWFS=1 -sALLOW_MEMORY_GROWTH=1 -sENVIRONMENT=node)
  set_target_properties(ort_convert PROPERTIES SUFFIX ".cjs")  # plain CommonJS (package.json says "module")
  set(XR_ORT_MODELS)
  foreach(onnx ${XR_ONNX_MODELS})
    get_filename_component(stem ${onnx} NAME_WE)
    set(ort ${CMAKE_BINARY_DIR}/models/${stem}.ort)
    add_custom_command(OUTPUT ${ort}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/models
      COMMAND /usr/bin/node --no-experimental-fetch $<TARGET_FILE:ort_convert> ${onnx} ${ort}
      DEPENDS ort_convert ${onnx} VERBATIM)
    list(APPEND XR_ORT_MODELS ${ort})
  endforeach()
  add_custom_target(ort_models ALL DEPENDS ${XR_ORT_MODELS})
endif()
