// Whether a frame would show anything new. Where WebGL is rendered in software a frame costs tens of
// milliseconds of CPU that the analysis workers need; input wakes the app for a few frames, and most of
// them (a mouse moving over nothing) draw the picture already on screen. A frame whose signature equals
// the last one sent to the GPU is not sent: the canvas keeps showing that one.
#pragma once
#include <imgui.h>

#include <cstdint>

namespace app {

// A digest of ImGui's draw data (vertices, indices, commands, clip rectangles, textures) with what it
// cannot show: `content` (a counter of changes to texture contents, ImageView::generation) and the
// framebuffer's size (a resized canvas is blank).
uint64_t frame_signature(const ImDrawData& draw, uint64_t content, int fb_width, int fb_height);

}  // namespace app
