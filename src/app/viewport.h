// Zoom, pan and window/level of the image panel. The GPU does the work: zoom and pan are texture
// coordinates of one textured quad, window/level and invert are uniforms of shaders/image.frag.glsl.
#pragma once
#include <GLES3/gl3.h>
#include <imgui.h>

#include "app/image_view.h"

namespace app {

struct Viewport {
  float zoom = 1.0f;            // 1: the whole image fits the panel
  float cx = 0.5f, cy = 0.5f;   // the image point (0..1) at the centre of the view
  bool show_help = false;
};

// Draws texture `tex` (tex_w x tex_h texels, from an image of source_w pixels across) into the
// remaining space of the current window and handles the input over it: wheel zooms about the cursor,
// left-drag pans, right-drag sets width (horizontal) and level (vertical); keys I invert, R reset,
// 1 one image pixel per screen pixel, H help. Returns the image's rectangle on screen (x, y, w, h).
ImVec4 draw_viewport(Viewport& v, DisplaySettings& d, GLuint tex, int tex_w, int tex_h, int source_w);

// The shortcuts, for the help panel.
void draw_viewport_help(Viewport& v);

void reset_view(Viewport& v, DisplaySettings& d);

}  // namespace app
