// The signal plots of `fleetclip report`: one inline SVG per signal, drawn here rather than by a
// script so the report is light and works with scripts off. A curve is downsampled to the min and
// max of each pixel column (a 60 s log at 100 Hz is 6000 samples for ~900 columns): every peak
// stays visible, nothing is averaged away. Marks: the pre/post window, each trigger, threshold
// lines, and a cursor line the page's script moves with the video.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fleetclip::cli {

struct PlotPoint {
  double t_s;  // seconds on the report's timeline
  double v;
};

struct PlotMark {
  double t_s;
  std::string label;
};

struct PlotThreshold {
  double v;
  std::string label;
};

struct PlotSpec {
  std::string signal;
  std::vector<PlotPoint> points;  // in time order
  double duration_s = 0;          // timeline 0..duration_s
  // The clip window: pre-roll from window_start_s to the first trigger, post-roll from the last
  // trigger to window_end_s.
  double window_start_s = 0, first_trigger_s = 0, last_trigger_s = 0, window_end_s = 0;
  std::vector<PlotMark> events;
  std::vector<PlotThreshold> thresholds;
};

// Plot geometry, shared with the page's script (data-x0 / data-xw on each <svg>).
inline constexpr int kPlotWidth = 1000;
inline constexpr int kPlotHeight = 140;
inline constexpr int kPlotX0 = 64;
inline constexpr int kPlotXw = kPlotWidth - kPlotX0 - 8;

// One <svg class="plot"> holding one <path class="curve">, the window, event and threshold marks
// and the cursor.
std::string PlotSvg(const PlotSpec& spec);

// `s` with <, >, & and " as entities: safe as HTML/SVG text and inside a double-quoted attribute.
std::string HtmlEscape(std::string_view s);

}  // namespace fleetclip::cli
