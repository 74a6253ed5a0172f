// SVG drawing of one signal for the report. See cli/report_plot.h.
#include "cli/report_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fleetclip::cli {
namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

std::string PlotSvg(const PlotSpec& spec) {
  constexpr double kTop = 6, kBottom = kPlotHeight - 18;
  const double duration = spec.duration_s > 0 ? spec.duration_s : 1;
  auto x = [&](double t) { return kPlotX0 + std::clamp(t / duration, 0.0, 1.0) * kPlotXw; };
  double lo = INFINITY, hi = -INFINITY;
  for (const PlotPoint& p : spec.points) {
    lo = std::min(lo, p.v);
    hi = std::max(hi, p.v);
  }
  for (const PlotThreshold& th : spec.thresholds) {
    lo = std::min(lo, th.v);
    hi = std::max(hi, th.v);
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-9) lo -= 0.5, hi += 0.5;
  const double pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  auto y = [&](double v) { return kBottom - (v - lo) / (hi - lo) * (kBottom - kTop); };

  // The curve: raw points when they fit, else min and max per pixel column in time order.
  std::string d;
  auto add = [&](double px, double py) { d += (d.empty() ? "M" : "L") + Num(px) + " " + Num(py); };
  if (spec.points.size() <= static_cast<size_t>(2 * kPlotXw)) {
    for (const PlotPoint& p : spec.points) add(x(p.t_s), y(p.v));
  } else {
    size_t i = 0;
    while (i < spec.points.size()) {
      const int column = static_cast<int>(x(spec.points[i].t_s));
      const PlotPoint* mn = &spec.points[i];
      const PlotPoint* mx = &spec.points[i];
      for (; i < spec.points.size() && static_cast<int>(x(spec.points[i].t_s)) == column; ++i) {
        if (spec.points[i].v < mn->v) mn = &spec.points[i];
        if (spec.points[i].v > mx->v) mx = &spec.points[i];
      }
      const PlotPoint* first = mn->t_s <= mx->t_s ? mn : mx;
      const PlotPoint* second = first == mn ? mx : mn;
      add(column, y(first->v));
      if (second != first) add(column, y(second->v));
    }
  }

  std::string s = "<svg class=\"plot\" data-signal=\"" + HtmlEscape(spec.signal) + "\" data-x0=\"" +
                  std::to_string(kPlotX0) + "\" data-xw=\"" + std::to_string(kPlotXw) +
                  "\" viewBox=\"0 0 " + std::to_string(kPlotWidth) + " " +
                  std::to_string(kPlotHeight) + "\" width=\"100%\" preserveAspectRatio=\"none\">";
  auto band = [&](const char* cls, double from, double to) {
    s += std::string("<rect class=\"window ") + cls + "\" x=\"" + Num(x(from)) + "\" y=\"" +
         Num(kTop) + "\" width=\"" + Num(std::max(0.0, x(to) - x(from))) + "\" height=\"" +
         Num(kBottom - kTop) + "\"/>";
  };
  band("pre", spec.window_start_s, spec.first_trigger_s);
  band("post", spec.last_trigger_s, spec.window_end_s);
  s += "<text class=\"name\" x=\"4\" y=\"16\">" + HtmlEscape(spec.signal) + "</text>";
  s += "<text class=\"axis\" x=\"4\" y=\"" + Num(kTop + 22) + "\">" + Num(hi - pad) + "</text>";
  s += "<text class=\"axis\" x=\"4\" y=\"" + Num(kBottom) + "\">" + Num(lo + pad) + "</text>";
  for (const PlotThreshold& th : spec.thresholds) {
    s += "<line class=\"threshold\" x1=\"" + std::to_string(kPlotX0) + "\" x2=\"" +
         std::to_string(kPlotX0 + kPlotXw) + "\" y1=\"" + Num(y(th.v)) + "\" y2=\"" + Num(y(th.v)) +
         "\"><title>" + HtmlEscape(th.label) + "</title></line>";
    s += "<text class=\"threshold-label\" x=\"" + std::to_string(kPlotX0 + kPlotXw - 4) +
         "\" y=\"" + Num(y(th.v) - 2) + "\">" + HtmlEscape(th.label) + "</text>";
  }
  for (const PlotMark& e : spec.events) {
    s += "<line class=\"event\" data-t=\"" + std::to_string(e.t_s) + "\" x1=\"" + Num(x(e.t_s)) +
         "\" x2=\"" + Num(x(e.t_s)) + "\" y1=\"" + Num(kTop) + "\" y2=\"" + Num(kBottom) +
         "\"><title>" + HtmlEscape(e.label) + "</title></line>";
  }
  s += "<path class=\"curve\" d=\"" + d + "\"/>";
  s += "<line class=\"cursor\" x1=\"" + std::to_string(kPlotX0) + "\" x2=\"" +
       std::to_string(kPlotX0) + "\" y1=\"" + Num(kTop) + "\" y2=\"" + Num(kBottom) + "\"/>";
  s += "</svg>";
  return s;
}

}  // namespace fleetclip::cli
