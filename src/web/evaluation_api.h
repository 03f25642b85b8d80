// A labelled batch handed over from JS: the rows' paths, each row's probability for one model, the label
// tables' text. Shared by the evaluation API (evaluation_api.cpp: the predictor, the page) and the app,
// which keeps the evaluation it draws (app_main.cpp).
#pragma once
#include <emscripten/val.h>

#include <string>

#include "labelled_evaluation.h"

namespace xrweb {

// input: { model: key, paths: [..], predictions: [{ p: number|null, gateOk: bool }, ..] (as paths),
//          tables: [{ path, text }, ..], threshold, bandLow, bandHigh }
xr::LabelledEvaluation evaluate(const emscripten::val& input);

}  // namespace xrweb
