#version 300 es
// Display of a gray X-ray: window/level (centre and width on 0..1) and invert.
precision mediump float;
uniform sampler2D u_image;
uniform float u_window_center;
uniform float u_window_width;
uniform bool u_invert;
in vec2 v_uv;
out vec4 frag;
void main() {
  float v = texture(u_image, v_uv).r;
  float g = clamp((v - (u_window_center - 0.5 * u_window_width)) / max(u_window_width, 1e-4), 0.0, 1.0);
  if (u_invert) g = 1.0 - g;
  frag = vec4(g, g, g, 1.0);
}
