// The X-ray on the GPU: an 8-bit source texture, drawn by shaders/image.*.glsl into a colour texture
// that ImGui shows. The shader pass runs only when the image or its display settings change.
#pragma once
#include <GLES3/gl3.h>

#include <cstdint>
#include <vector>

namespace app {

struct DisplaySettings {
  float window_center = 0.5f;  // on 0..1
  float window_width = 1.0f;
  bool invert = false;
  bool show_cam = true;
  float cam_opacity = 0.5f;
  bool show_lungs = false;
  bool operator!=(const DisplaySettings& o) const {
    return window_center != o.window_center || window_width != o.window_width || invert != o.invert ||
           show_cam != o.show_cam || cam_opacity != o.cam_opacity || show_lungs != o.show_lungs;
  }
};

// A class activation map, 0..1 (row-major), and the part of the image it covers, in uv units. `field`
// (optional, its own grid over the same part) is how much of the image the model saw at each point,
// 0..255: the heatmap is clipped to it, so it shows only within the lung field.
struct CamOverlay {
  int width = 0, height = 0;
  std::vector<uint8_t> values;  // 0..255
  float u = 0, v = 0, du = 1, dv = 1;
  int field_width = 0, field_height = 0;
  std::vector<uint8_t> field;
};

// The lung model's mask (255 = lung) and the part of the image it covers, in uv units; drawn as an outline.
struct LungOutline {
  int width = 0, height = 0;
  std::vector<uint8_t> mask;
  float u = 0, v = 0, du = 1, dv = 1;
};

class ImageView {
 public:
  ImageView() = default;
  ImageView(const ImageView&) = delete;
  ImageView& operator=(const ImageView&) = delete;
  ~ImageView();

  void upload(const uint8_t* gray, int width, int height);
  void set_cam(const CamOverlay& cam);  // an empty CamOverlay removes it
  void set_lungs(const LungOutline& lungs);  // an empty one removes it
  bool has_lungs() const { return lungs_ != 0; }
  void clear();
  bool has_cam() const { return cam_ != 0; }
  bool has_image() const { return width_ > 0; }
  int width() const { return width_; }
  int height() const { return height_; }

  // Renders if needed (call outside ImGui rendering) and returns the texture to draw.
  GLuint texture(const DisplaySettings& settings);
  // Counts the renders of that texture: a change ImGui's draw data does not show (frame_signature.h).
  uint64_t generation() const { return generation_; }

 private:
  bool ensure_program();
  void release_textures();

  GLuint program_ = 0, vao_ = 0, source_ = 0, target_ = 0, fbo_ = 0, cam_ = 0, field_ = 0, lungs_ = 0;
  float cam_rect_[4] = {0, 0, 1, 1};
  float lung_rect_[4] = {0, 0, 1, 1};
  int width_ = 0, height_ = 0;
  bool dirty_ = false;
  uint64_t generation_ = 0;
  DisplaySettings drawn_;
};

}  // namespace app
