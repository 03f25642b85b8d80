#include "app/viewport.h"

#include <imgui.h>
#include <imgui_internal.h>  // SetItemUsingMouseWheel

#include <algorithm>
#include <cstdint>

#include "app/ui_scale.h"

namespace app {
namespace {

constexpr float kMaxZoom = 64.0f;
constexpr float kWheelStep = 1.2f;
constexpr float kWindowPerPixel = 1.0f / 400.0f;  // right-drag: window change per CSS pixel

struct Layout {
  ImVec2 pos, size;      // where the visible part of the image lies on screen
  ImVec2 uv0, uv1;       // which part of the image it shows
  float px_per_texel;    // screen pixels per texel
};

// The centre is kept where the view stays inside the image.
void clamp_centre(Viewport& v, ImVec2 extent) {
  v.cx = extent.x >= 1 ? 0.5f : std::clamp(v.cx, extent.x / 2, 1 - extent.x / 2);
  v.cy = extent.y >= 1 ? 0.5f : std::clamp(v.cy, extent.y / 2, 1 - extent.y / 2);
}

Layout layout(Viewport& v, ImVec2 origin, ImVec2 avail, int w, int h) {
  const float fit = std::min(avail.x / w, avail.y / h);
  Layout l;
  l.px_per_texel = fit * v.zoom;
  const ImVec2 full(w * l.px_per_texel, h * l.px_per_texel);
  l.size = ImVec2(std::min(avail.x, full.x), std::min(avail.y, full.y));
  const ImVec2 extent(l.size.x / full.x, l.size.y / full.y);
  clamp_centre(v, extent);
  l.uv0 = ImVec2(v.cx - extent.x / 2, v.cy - extent.y / 2);
  l.uv1 = ImVec2(v.cx + extent.x / 2, v.cy + extent.y / 2);
  l.pos = ImVec2(origin.x + (avail.x - l.size.x) / 2, origin.y + (v.zoom > 1 ? (avail.y - l.size.y) / 2 : 0));
  return l;
}

// The image point under screen point p.
ImVec2 image_point(const Layout& l, ImVec2 p) {
  return ImVec2(l.uv0.x + (p.x - l.pos.x) / l.size.x * (l.uv1.x - l.uv0.x),
                l.uv0.y + (p.y - l.pos.y) / l.size.y * (l.uv1.y - l.uv0.y));
}

// A new zoom that keeps the image point under `anchor` where it is on screen.
void zoom_about(Viewport& v, float zoom, ImVec2 anchor, ImVec2 origin, ImVec2 avail, int w, int h) {
  const ImVec2 at = image_point(layout(v, origin, avail, w, h), anchor);
  v.zoom = std::clamp(zoom, 1.0f, kMaxZoom);
  Layout l = layout(v, origin, avail, w, h);
  const ImVec2 ext(l.uv1.x - l.uv0.x, l.uv1.y - l.uv0.y);
  v.cx = at.x - ((anchor.x - l.pos.x) / l.size.x - 0.5f) * ext.x;
  v.cy = at.y - ((anchor.y - l.pos.y) / l.size.y - 0.5f) * ext.y;
  clamp_centre(v, ext);
}

void handle_keys(Viewport& v, DisplaySettings& d, ImVec2 origin, ImVec2 avail, int w, int h, int source_w) {
  if (ImGui::GetIO().WantTextInput) return;
  // imgui 1.86's GLFW backend indexes keys by GLFW key code: letters and digits are their ASCII codes
  if (ImGui::IsKeyPressed('I', false)) d.invert = !d.invert;
  if (ImGui::IsKeyPressed('R', false)) reset_view(v, d);
  if (ImGui::IsKeyPressed('H', false)) v.show_help = !v.show_help;
  if (ImGui::IsKeyPressed('1', false) && source_w > 0) {
    const float fit = std::min(avail.x / w, avail.y / h);
    const ImVec2 centre(origin.x + avail.x / 2, origin.y + avail.y / 2);
    zoom_about(v, static_cast<float>(source_w) / w / fit, centre, origin, avail, w, h);
  }
}

}  // namespace

void reset_view(Viewport& v, DisplaySettings& d) {
  v.zoom = 1;
  v.cx = v.cy = 0.5f;
  d.window_center = 0.5f;
  d.window_width = 1.0f;
  d.invert = false;
}

ImVec4 draw_viewport(Viewport& v, DisplaySettings& d, GLuint tex, int tex_w, int tex_h, int source_w) {
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (avail.x < 1 || avail.y < 1 || tex_w <= 0 || tex_h <= 0) return ImVec4(0, 0, 0, 0);
  // the whole panel takes the mouse, so that a drag may start beside a zoomed-out image
  ImGui::InvisibleButton("viewport", avail, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  ImGui::SetItemUsingMouseWheel();  // the wheel zooms; the panel does not scroll
  const ImGuiIO& io = ImGui::GetIO();
  const bool hovered = ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem);
  if (hovered && io.MouseWheel != 0) {
    const float factor = io.MouseWheel > 0 ? kWheelStep : 1 / kWheelStep;
    zoom_about(v, v.zoom * factor, io.MousePos, origin, avail, tex_w, tex_h);
  }
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0)) {
    const Layout l = layout(v, origin, avail, tex_w, tex_h);
    v.cx -= io.MouseDelta.x / (tex_w * l.px_per_texel);
    v.cy -= io.MouseDelta.y / (tex_h * l.px_per_texel);
  }
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Right, 0)) {
    const float per_pixel = kWindowPerPixel / ui_scale();  // mouse deltas are in device pixels
    d.window_width = std::clamp(d.window_width + io.MouseDelta.x * per_pixel, 0.01f, 2.0f);
    d.window_center = std::clamp(d.window_center - io.MouseDelta.y * per_pixel, -0.5f, 1.5f);
  }
  if (hovered || ImGui::IsWindowFocused()) handle_keys(v, d, origin, avail, tex_w, tex_h, source_w);
  const Layout l = layout(v, origin, avail, tex_w, tex_h);
  ImGui::GetWindowDrawList()->AddImage(reinterpret_cast<ImTextureID>(static_cast<uintptr_t>(tex)), l.pos,
                                       ImVec2(l.pos.x + l.size.x, l.pos.y + l.size.y), l.uv0, l.uv1);
  return ImVec4(l.pos.x, l.pos.y, l.size.x, l.size.y);
}

void draw_viewport_help(Viewport& v) {
  if (!v.show_help) return;
  ImGui::SetNextWindowSize(ImVec2(em(24), 0), ImGuiCond_Appearing);
  if (ImGui::Begin("Viewing shortcuts", &v.show_help, ImGuiWindowFlags_NoCollapse)) {
    static const char* const kRows[][2] = {
        {"Mouse wheel", "zoom about the cursor"}, {"Drag", "pan"}, {"Right-drag", "window (left/right), level (up/down)"},
        {"I", "invert"}, {"R", "reset zoom, pan, window and invert"}, {"1", "one image pixel per screen pixel"},
        {"H", "show or hide this help"}};
    if (ImGui::BeginTable("keys", 2)) {
      for (const auto& row : kRows) {
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(row[0]);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(row[1]);
      }
      ImGui::EndTable();
    }
  }
  ImGui::End();
}

}  // namespace app
