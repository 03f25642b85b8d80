#include "app/image_view.h"

#include <algorithm>
#include <cstdio>

#include "shaders.h"

namespace app {
namespace {

GLuint compile(GLenum type, const char* src) {
  const GLuint s = glCreateShader(type);
  glShaderSource(s, 1, &src, nullptr);
  glCompileShader(s);
  GLint ok = 0;
  glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[1024];
    glGetShaderInfoLog(s, sizeof log, nullptr, log);
    std::fprintf(stderr, "shader: %s\n", log);
  }
  return s;
}

// A 2D texture clamped at its edges, bilinear (and mipmapped when min_filter asks for it).
GLuint make_texture(GLenum internal_format, int width, int height, GLenum format, const void* data, GLenum min_filter) {
  GLuint tex = 0;
  glGenTextures(1, &tex);
  glBindTexture(GL_TEXTURE_2D, tex);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, static_cast<GLint>(internal_format), width, height, 0, format, GL_UNSIGNED_BYTE, data);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, static_cast<GLint>(min_filter));
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  return tex;
}

}  // namespace

ImageView::~ImageView() {
  release_textures();
  if (program_) glDeleteProgram(program_);
  if (vao_) glDeleteVertexArrays(1, &vao_);
}

bool ImageView::ensure_program() {
  if (program_) return true;
  const GLuint vs = compile(GL_VERTEX_SHADER, k_image_vert_glsl);
  const GLuint fs = compile(GL_FRAGMENT_SHADER, k_image_frag_glsl);
  program_ = glCreateProgram();
  glAttachShader(program_, vs);
  glAttachShader(program_, fs);
  glLinkProgram(program_);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = 0;
  glGetProgramiv(program_, GL_LINK_STATUS, &ok);
  glGenVertexArrays(1, &vao_);
  return ok != 0;
}

void ImageView::release_textures() {
  if (fbo_) glDeleteFramebuffers(1, &fbo_);
  if (source_) glDeleteTextures(1, &source_);
  if (target_) glDeleteTextures(1, &target_);
  for (GLuint* t : {&cam_, &field_, &lungs_})
    if (*t) glDeleteTextures(1, t);
  fbo_ = source_ = target_ = cam_ = field_ = lungs_ = 0;
}

void ImageView::set_cam(const CamOverlay& cam) {
  for (GLuint* t : {&cam_, &field_})
    if (*t) glDeleteTextures(1, t);
  cam_ = field_ = 0;
  dirty_ = true;
  if (cam.width <= 0 || cam.height <= 0 || cam.values.size() != static_cast<size_t>(cam.width) * cam.height) return;
  cam_ = make_texture(GL_R8, cam.width, cam.height, GL_RED, cam.values.data(), GL_LINEAR);
  if (cam.field_width > 0 && cam.field.size() == static_cast<size_t>(cam.field_width) * cam.field_height)
    field_ = make_texture(GL_R8, cam.field_width, cam.field_height, GL_RED, cam.field.data(), GL_LINEAR);
  const float rect[4] = {cam.u, cam.v, cam.du, cam.dv};
  std::copy(rect, rect + 4, cam_rect_);
}

void ImageView::set_lungs(const LungOutline& lungs) {
  if (lungs_) glDeleteTextures(1, &lungs_);
  lungs_ = 0;
  dirty_ = true;
  if (lungs.width <= 0 || lungs.height <= 0 || lungs.mask.size() != static_cast<size_t>(lungs.width) * lungs.height) return;
  lungs_ = make_texture(GL_R8, lungs.width, lungs.height, GL_RED, lungs.mask.data(), GL_LINEAR);
  const float rect[4] = {lungs.u, lungs.v, lungs.du, lungs.dv};
  std::copy(rect, rect + 4, lung_rect_);
}

void ImageView::clear() {
  release_textures();
  width_ = height_ = 0;
}

void ImageView::upload(const uint8_t* gray, int width, int height) {
  release_textures();
  width_ = width;
  height_ = height;
  source_ = make_texture(GL_R8, width, height, GL_RED, gray, GL_LINEAR);
  // Mipmaps: the image is usually shown smaller than it is, and plain bilinear minification aliases.
  target_ = make_texture(GL_RGBA8, width, height, GL_RGBA, nullptr, GL_LINEAR_MIPMAP_LINEAR);

  glGenFramebuffers(1, &fbo_);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, target_, 0);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  dirty_ = true;
}

GLuint ImageView::texture(const DisplaySettings& settings) {
  if (!has_image() || !ensure_program()) return 0;
  if (!dirty_ && !(settings != drawn_)) return target_;
  GLint viewport[4];
  glGetIntegerv(GL_VIEWPORT, viewport);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glViewport(0, 0, width_, height_);
  glDisable(GL_BLEND);
  glDisable(GL_SCISSOR_TEST);
  glUseProgram(program_);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, source_);
  glUniform1i(glGetUniformLocation(program_, "u_image"), 0);
  glUniform1f(glGetUniformLocation(program_, "u_window_center"), settings.window_center);
  glUniform1f(glGetUniformLocation(program_, "u_window_width"), settings.window_width);
  glUniform1i(glGetUniformLocation(program_, "u_invert"), settings.invert ? 1 : 0);
  glActiveTexture(GL_TEXTURE1);
  glBindTexture(GL_TEXTURE_2D, cam_);
  glUniform1i(glGetUniformLocation(program_, "u_cam"), 1);
  glUniform1i(glGetUniformLocation(program_, "u_show_cam"), settings.show_cam && cam_ ? 1 : 0);
  glUniform1f(glGetUniformLocation(program_, "u_cam_opacity"), settings.cam_opacity);
  glUniform4fv(glGetUniformLocation(program_, "u_cam_rect"), 1, cam_rect_);
  glActiveTexture(GL_TEXTURE2);
  glBindTexture(GL_TEXTURE_2D, field_);
  glUniform1i(glGetUniformLocation(program_, "u_field"), 2);
  glUniform1i(glGetUniformLocation(program_, "u_has_field"), field_ ? 1 : 0);
  glActiveTexture(GL_TEXTURE3);
  glBindTexture(GL_TEXTURE_2D, lungs_);
  glUniform1i(glGetUniformLocation(program_, "u_lungs"), 3);
  glUniform1i(glGetUniformLocation(program_, "u_show_lungs"), settings.show_lungs && lungs_ ? 1 : 0);
  glUniform4fv(glGetUniformLocation(program_, "u_lung_rect"), 1, lung_rect_);
  glActiveTexture(GL_TEXTURE0);
  glBindVertexArray(vao_);
  glDrawArrays(GL_TRIANGLES, 0, 3);
  glBindVertexArray(0);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glBindTexture(GL_TEXTURE_2D, target_);
  glGenerateMipmap(GL_TEXTURE_2D);
  glViewport(viewport[0], viewport[1], viewport[2], viewport[3]);
  drawn_ = settings;
  dirty_ = false;
  ++generation_;
  return target_;
}

}  // namespace app
