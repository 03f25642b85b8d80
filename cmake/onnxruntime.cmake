# ONNX Runtime 1.13.1 as a wasm static library, the analysis on top of it, and the models as .ort.
# The library is built once per machine outside the clone by scripts/ort/build_ort.sh (cached under
# ${XDG_CACHE_HOME:-~/.cache}/xraylens/, keyed by the source bundle, the operator config and the flags);
# the operator config is made here from the shipped models, so new models with new operators make a
# new build and new models with the same operators reuse the cached one.
# Two builds of the same sources and operators: the full one (loads .onnx, converts it to .ort: the build's
# ort_convert) and the minimal one (loads .ort only; about 0.45 MB less gzipped), which the page's module
# links. XRAYLENS_PAGE_ORT=full links the full one into the module too (one ORT build per machine).
set(XRAYLENS_PAGE_ORT "minimal" CACHE STRING "the page module's ORT build: minimal (.ort only) or full")
set_property(CACHE XRAYLENS_PAGE_ORT PROPERTY STRINGS minimal full)
set(XRAYLENS_ORT_FULL_DIR "" CACHE PATH "A full ORT install from scripts/ort/build_ort.sh (empty: build or reuse the cached one)")
set(XRAYLENS_ORT_MINIMAL_DIR "" CACHE PATH "A minimal ORT install from scripts/ort/build_ort.sh (empty: build or reuse the cached one)")
file(GLOB XR_ONNX_MODELS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/models/*.onnx)
# a model replaced under the same name re-runs this configure too (its operators may differ)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${XR_ONNX_MODELS})

set(XR_ORT_CONFIG ${CMAKE_BINARY_DIR}/ort-ops.config)
execute_process(COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/scripts/ort/ops_config.py ${XR_ORT_CONFIG} ${XR_ONNX_MODELS}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "could not make ORT's operator config from models/*.onnx (scripts/ort/ops_config.py)")
endif()

# The imported library onnxruntime_<mode>: the given install, or the cached build for these sources and
# operators (built first where there is none).
function(xr_onnxruntime mode given)
  if(given)
    set(dir ${given})
  else()
    message(STATUS "ONNX Runtime (${mode}): building or reusing the cached library (a first build: 20-45 min on two cores)")
    execute_process(COMMAND ${CMAKE_SOURCE_DIR}/scripts/ort/build_ort.sh ${XR_ORT_CONFIG} ${mode}
      OUTPUT_VARIABLE dir OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "ONNX Runtime build failed (scripts/ort/build_ort.sh ${mode}; its log is in the cache folder)")
    endif()
  endif()
  if(NOT EXISTS ${dir}/lib/libonnxruntime_webassembly.a OR NOT EXISTS ${dir}/include/onnxruntime_c_api.h)
    message(FATAL_ERROR "no ONNX Runtime library in ${dir} (lib/libonnxruntime_webassembly.a, include/)")
  endif()
  message(STATUS "ONNX Runtime (${mode}): ${dir}")
  add_library(onnxruntime_${mode} STATIC IMPORTED GLOBAL)
  set_target_properties(onnxruntime_${mode} PROPERTIES
    IMPORTED_LOCATION ${dir}/lib/libonnxruntime_webassembly.a
    INTERFACE_INCLUDE_DIRECTORIES ${dir}/include)
endfunction()
xr_onnxruntime(full "${XRAYLENS_ORT_FULL_DIR}")
if(XRAYLENS_PAGE_ORT STREQUAL "minimal")
  xr_onnxruntime(minimal "${XRAYLENS_ORT_MINIMAL_DIR}")
elseif(NOT XRAYLENS_PAGE_ORT STREQUAL "full")
  message(FATAL_ERROR "XRAYLENS_PAGE_ORT must be minimal or full")
endif()

# src/analysis: the analysis of one image (gate, lungs, classifiers, CAM, verdicts) with ORT.
add_library(xranalysis STATIC src/analysis/analysis.cpp src/analysis/ort_model.cpp)
target_include_directories(xranalysis PUBLIC src/analysis)
target_link_libraries(xranalysis PUBLIC xrcore onnxruntime_${XRAYLENS_PAGE_ORT})
target_compile_definitions(xranalysis PUBLIC XR_ORT_BUILD="${XRAYLENS_PAGE_ORT}")
target_compile_options(xranalysis PRIVATE -Wall -Wextra -msimd128)
# ORT's library is LLVM bitcode (-flto): link with LTO. The link's level is the level ORT's code is
# finally optimised at: -O3 against -Os made Model 1 35% faster under Node (40.3 -> 26.1 ms) and session
# start-up 30% (559 -> 388 ms) for 26 KB more gzipped (tools/bench_analysis.mjs, docs/ANALYSIS.md).
set(XR_ORT_LINK -flto -O3 -msimd128)

# .onnx -> .ort at build time by the full build (tools/ort_convert.cpp under Node; the tools convert a
# training run's models with it too, tools/lib/ort_models.mjs).
add_executable(ort_convert tools/ort_convert.cpp src/analysis/ort_model.cpp)
target_include_directories(ort_convert PRIVATE src/analysis tools)
target_link_libraries(ort_convert PRIVATE onnxruntime_full)
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
