// The report's page and plots, in-process: downsampling keeps every extreme, the plotted signals
// follow the clip's rules, videos are referenced relative to the page or embedded.
#include <catch2/catch.hpp>
#include <fstream>

#include "cli/clip_report.h"
#include "cli/report_plot.h"
#include "tests/support/temp_dir.h"

namespace fleetclip::cli {
namespace {

size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

TEST_CASE("a long signal is drawn as min and max per pixel column and keeps a one-sample spike") {
  PlotSpec spec;
  spec.signal = "accel_long";
  spec.duration_s = 60;
  for (int i = 0; i < 6000; ++i) spec.points.push_back({i * 0.01, i == 3000 ? -9.0 : 0.0});
  const std::string svg = PlotSvg(spec);
  const size_t points = Count(svg, "L") + 1;
  CHECK(points <= static_cast<size_t>(2 * kPlotXw + 2));
  CHECK(points < 6000);
  // The spike is the minimum: drawn at the bottom of the plot area (y 122 with the 5% margin).
  CHECK(svg.find(" 116.") != std::string::npos);
  CHECK(Count(svg, "<path class=\"curve\"") == 1);
}

TEST_CASE("an event marker sits at x0 + t / duration * width") {
  PlotSpec spec;
  spec.signal = "speed";
  spec.duration_s = 20;
  spec.points = {{0, 1}, {20, 2}};
  spec.events = {{5, "harsh_braking"}};
  const std::string svg = PlotSvg(spec);
  const double x = kPlotX0 + 0.25 * kPlotXw;
  char want[64];
  std::snprintf(want, sizeof want, "x1=\"%.1f\"", x);
  CHECK(svg.find(want) != std::string::npos);
}

proto::SignalFrame Frame(int64_t mono_ns, double speed, double accel) {
  proto::SignalFrame f;
  f.set_mono_ns(mono_ns);
  auto* v = f.add_values();
  v->set_name("speed");
  v->set_number(speed);
  v = f.add_values();
  v->set_name("accel_long");
  v->set_number(accel);
  v = f.add_values();
  v->set_name("gear");
  v->set_text("D");
  return f;
}

ClipFolder Clip(const std::filesystem::path& dir) {
  ClipFolder c;
  c.dir = dir;
  proto::ClipManifest& m = c.manifest;
  m.set_clip_id("01900000-0000-7000-8000-000000000000");
  m.set_window_start_mono_ns(1'000'000'000);
  m.set_window_end_mono_ns(21'000'000'000);
  auto* cam = m.add_cameras();
  cam->set_name("front");
  cam->set_file("front.mp4");
  cam->set_first_packet_mono_ns(1'000'000'000);
  cam->set_last_packet_mono_ns(20'900'000'000);
  cam->set_packets(200);
  auto* e = m.add_events();
  e->set_rule("harsh_braking");
  e->set_fired_mono_ns(13'000'000'000);
  return c;
}

TEST_CASE("the report plots the standard signals the log has and the firing rule's thresholds") {
  TempDir dir;
  const ClipFolder clip = Clip(dir.path());
  std::vector<proto::SignalFrame> frames;
  for (int64_t i = 0; i < 100; ++i)
    frames.push_back(Frame(1'000'000'000 + i * 200'000'000, 10, -1));
  CHECK(ReportSignals(clip.manifest, frames) == std::vector<std::string>{"speed", "accel_long"});
  const std::string html = BuildClipReport(clip, frames, {}, {.html_dir = dir.path()}).value();
  CHECK(Count(html, "<svg class=\"plot\"") == 2);
  CHECK(html.find("harsh_braking &lt;= -3.5") != std::string::npos);
  CHECK(html.find("harsh_braking severe at |4.5|") != std::string::npos);
  CHECK(html.find("src=\"front.mp4\"") != std::string::npos);
  CHECK(html.find("<script src") == std::string::npos);
  CHECK(html.find("http") == std::string::npos);  // nothing from the network
}

TEST_CASE("with embed the videos are data URLs of the MP4 bytes") {
  TempDir dir;
  std::ofstream(dir.path() / "front.mp4", std::ios::binary) << "abcd";
  const ClipFolder clip = Clip(dir.path());
  const std::string html =
      BuildClipReport(clip, {}, {}, {.html_dir = dir.path(), .embed = true}).value();
  CHECK(html.find("src=\"data:video/mp4;base64,YWJjZA==\"") != std::string::npos);
}

TEST_CASE("a file that fails its check is named in the report with why") {
  TempDir dir;
  const ClipFolder clip = Clip(dir.path());
  FileCheck bad{"front.mp4", 10, std::string(64, 'a'), false, "missing"};
  const std::string html = BuildClipReport(clip, {}, {bad}, {.html_dir = dir.path()}).value();
  CHECK(html.find("no: missing") != std::string::npos);
  CHECK(html.find("some files do not verify") != std::string::npos);
}

}  // namespace
}  // namespace fleetclip::cli
