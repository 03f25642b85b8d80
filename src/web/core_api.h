// What the core API (core_api.cpp) offers the analysis API (analysis_api.cpp) in the same module.
#pragma once
#include "lung_field.h"
#include "study.h"

namespace xrweb {

// Makes a study opened and analysed elsewhere the core API's open study, with its lung field (empty
// when none was made): display(), labelledCopyPng(), lungMask() and lungWeight() then answer for it.
void adopt_study(xr::Study study, const xr::LungField& lungs);

}  // namespace xrweb
