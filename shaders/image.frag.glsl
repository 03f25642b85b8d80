#version 300 es
// Display of a gray X-ray: window/level (centre and width on 0..1), invert, the model's class
// activation map blended over the region the model saw and clipped to its lung field, with the viridis
// colormap (perceptually uniform, readable in gray and by colour-blind viewers), and the lung outline.
precision mediump float;
uniform sampler2D u_image;
uniform sampler2D u_cam;       // 0..1, the model-input region only
uniform float u_window_center;
uniform float u_window_width;
uniform bool u_invert;
uniform bool u_show_cam;
uniform float u_cam_opacity;
uniform vec4 u_cam_rect;       // x, y, width, height of the model-input region in image uv
uniform sampler2D u_field;     // 0..1 over the same region: how much of the image the model saw there
uniform bool u_has_field;
uniform sampler2D u_lungs;     // the lung mask (1 = lung) over u_lung_rect
uniform bool u_show_lungs;
uniform vec4 u_lung_rect;
in vec2 v_uv;
out vec4 frag;

// matplotlib's viridis at 0, 1/8, ..., 1
const vec3 VIRIDIS[9] = vec3[9](
  vec3(0.267, 0.005, 0.329), vec3(0.282, 0.157, 0.471), vec3(0.243, 0.286, 0.537),
  vec3(0.192, 0.408, 0.557), vec3(0.149, 0.510, 0.557), vec3(0.122, 0.620, 0.537),
  vec3(0.208, 0.718, 0.475), vec3(0.431, 0.808, 0.345), vec3(0.992, 0.906, 0.145));

vec3 viridis(float t) {
  float x = clamp(t, 0.0, 1.0) * 8.0;
  int i = int(min(floor(x), 7.0));
  return mix(VIRIDIS[i], VIRIDIS[i + 1], x - float(i));
}

void main() {
  float v = texture(u_image, v_uv).r;
  float g = clamp((v - (u_window_center - 0.5 * u_window_width)) / max(u_window_width, 1e-4), 0.0, 1.0);
  if (u_invert) g = 1.0 - g;
  vec3 colour = vec3(g);
  if (u_show_cam) {
    vec2 c = (v_uv - u_cam_rect.xy) / u_cam_rect.zw;
    if (all(greaterThanEqual(c, vec2(0.0))) && all(lessThanEqual(c, vec2(1.0)))) {
      float a = texture(u_cam, c).r;
      if (u_has_field) a *= texture(u_field, c).r;
      colour = mix(colour, viridis(a), u_cam_opacity * smoothstep(0.05, 0.5, a));
    }
  }
  if (u_show_lungs) {
    vec2 c = (v_uv - u_lung_rect.xy) / u_lung_rect.zw;
    if (all(greaterThanEqual(c, vec2(0.0))) && all(lessThanEqual(c, vec2(1.0)))) {
      float m = texture(u_lungs, c).r;  // bilinear: 0.5 on the outline
      float edge = 1.0 - smoothstep(0.0, 1.5 * max(fwidth(m), 1e-3), abs(m - 0.5));
      colour = mix(colour, vec3(0.0, 0.85, 0.95), 0.9 * edge);
    }
  }
  frag = vec4(colour, 1.0);
}
