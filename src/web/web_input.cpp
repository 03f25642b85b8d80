#include "web_input.h"

#include <emscripten/bind.h>

#include <cmath>
#include <utility>

#include "contract.h"
#include "decode_common.h"
#include "window.h"

using emscripten::val;

namespace xrweb {
namespace {
std::vector<uint8_t> g_file;
std::vector<uint16_t> g_samples;
std::vector<float> g_values;

// `buffer` with `count` elements, as a view into wasm memory (valid until the next call that changes the
// buffer; callers copy into it). Past `limit` it throws a JS Error with `message()` before allocating,
// instead of aborting the module on a failed allocation (the wasm build has no C++ exceptions).
template <typename T, typename Message>
val buffer_view(std::vector<T>& buffer, double count, double limit, Message message) {
  if (!(count >= 0 && count <= limit)) {
    std::vector<T>().swap(buffer);
    val::global("Error").new_(val(count >= 0 ? message() : std::string("Not a size."))).throw_();
  }
  buffer.assign(static_cast<size_t>(count), T{});
  return val(emscripten::typed_memory_view(buffer.size(), buffer.data()));
}

std::string too_many_pixels() { return "Image too large (" + xr::detail::pixel_limits() + ")."; }
}  // namespace

val file_buffer(double size) {
  return buffer_view(g_file, size, static_cast<double>(xr::kMaxFileBytes),
                     [&] { return xr::detail::file_size_error(size); });
}

std::vector<uint8_t> take_file() { return std::exchange(g_file, {}); }

// Samples: up to the core's pixel limit in three channels.
val samples_buffer(double count) { return buffer_view(g_samples, count, 3.0 * xr::kMaxPixels, too_many_pixels); }

std::vector<uint16_t> take_samples() { return std::exchange(g_samples, {}); }

// DICOM stored values: one channel.
val values_buffer(double count) { return buffer_view(g_values, count, static_cast<double>(xr::kMaxPixels), too_many_pixels); }

val window_values(int max_value, bool invert, double center, double width) {
  const std::vector<float> values = std::exchange(g_values, {});
  const bool from_file = std::isfinite(center) && std::isfinite(width) && width >= 1;
  const xr::Window window = from_file ? xr::Window{center, width} : xr::full_range_window(values.data(), values.size());
  g_samples = xr::apply_window(values.data(), values.size(), window, max_value, invert);
  val out = val::object();
  out.set("center", window.center);
  out.set("width", window.width);
  out.set("source", std::string(from_file ? "file" : "full range"));
  return out;
}

val study_info(const xr::Study& study) {
  const auto& d = study.decoded;
  val info = val::object();
  info.set("ok", study.ok());
  info.set("error", d.error);
  info.set("warning", d.warning);
  info.set("format", d.format);
  info.set("width", d.image.width);
  info.set("height", d.image.height);
  info.set("bitDepth", d.bit_depth);
  info.set("channels", d.channels);
  info.set("colourFraction", d.colour_fraction);
  if (d.window.width > 0) {
    val window = val::object();
    window.set("center", d.window.center);
    window.set("width", d.window.width);
    window.set("source", std::string("full range"));
    info.set("window", window);
  }
  info.set("gateReason", study.ok() ? study.check.reason : std::string());
  info.set("gateMessage", study.ok() ? study.check.message : std::string());
  return info;
}

val lung_field_info(const xr::LungField& l, int width, int height) {
  const auto region = [](const xr::RegionF& r) { return val::array(std::vector<double>{r.x, r.y, r.width, r.height}); };
  val info = val::object();
  info.set("reason", l.reason);
  info.set("message", l.message);
  info.set("areaFraction", l.area_fraction);
  info.set("lungs", l.lungs);
  info.set("box", val::array(std::vector<int>{l.box.x, l.box.y, l.box.width}));
  info.set("region", region(xr::lung_field_region(width, height, l.box)));
  info.set("maskRegion", region(xr::lung_field_region(width, height, {0, 0, xr::kCanonicalSize, xr::kCanonicalSize})));
  return info;
}

}  // namespace xrweb
