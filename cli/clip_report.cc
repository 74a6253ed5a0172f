// Builds the report page. See cli/clip_report.h. The page's script and style are inline below:
// the file must open from file:// with no network.
#include "cli/clip_report.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "cli/report_plot.h"
#include "cli/signal_table.h"
#include "triggers/presets.h"

namespace fleetclip::cli {
namespace {
namespace fs = std::filesystem;

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) |
                       (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// What a rule's expression tells the report: the signals it reads and the plain thresholds
// (`signal op number` clauses without rate(), e.g. accel_long <= -3.5).
struct RuleReading {
  std::vector<std::string> signals;
  std::vector<std::pair<std::string, PlotThreshold>> thresholds;
};

// Identifiers of `text` that name signals: not keywords or functions, not units ("300ms").
std::vector<std::string> SignalNames(std::string_view text) {
  static const std::set<std::string, std::less<>> kWords = {
      "and", "or", "not", "abs", "rate", "min", "max", "mean", "rose", "fell", "for"};
  std::vector<std::string> out;
  auto ident_char = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  };
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {  // a number, with any unit glued on
      while (i < text.size() && ident_char(text[i])) ++i;
    } else if (std::islower(static_cast<unsigned char>(c)) || c == '_') {
      const size_t start = i;
      while (i < text.size() && ident_char(text[i])) ++i;
      const std::string_view w = text.substr(start, i - start);
      if (!kWords.contains(w)) out.emplace_back(w);
    } else {
      ++i;
    }
  }
  return out;
}

// The clauses of an expression, split at " and " / " or ".
std::vector<std::string_view> Clauses(std::string_view expr) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < expr.size(); ++i) {
    for (std::string_view join : {std::string_view(" and "), std::string_view(" or ")}) {
      if (expr.substr(i, join.size()) == join) {
        out.push_back(expr.substr(start, i - start));
        start = i + join.size();
        i = start - 1;
        break;
      }
    }
  }
  out.push_back(expr.substr(start));
  return out;
}

RuleReading ReadRule(const triggers::RuleSpec& rule) {
  RuleReading r;
  r.signals = SignalNames(rule.expr);
  for (std::string_view clause : Clauses(rule.expr)) {
    const std::vector<std::string> names = SignalNames(clause);
    const size_t op_at = clause.find_first_of("<>");
    if (names.size() != 1 || clause.find("rate(") != std::string_view::npos ||
        op_at == std::string_view::npos) {
      continue;
    }
    const size_t op_len = op_at + 1 < clause.size() && clause[op_at + 1] == '=' ? 2 : 1;
    const std::string op(clause.substr(op_at, op_len));
    std::string number(clause.substr(op_at + op_len));
    while (!number.empty() && number.front() == ' ') number.erase(0, 1);
    char* end = nullptr;
    const double v = std::strtod(number.c_str(), &end);
    if (end == number.c_str()) continue;
    number.resize(static_cast<size_t>(end - number.c_str()));
    const bool first = r.thresholds.empty();
    r.thresholds.push_back({names[0], {v, rule.name + " " + op + " " + number}});
    // A tier applies to the rule's peak: the signal of its first threshold clause.
    if (!first) continue;
    for (const triggers::SeverityTier& tier : rule.tiers) {
      const double tv = v < 0 ? -tier.min_magnitude : tier.min_magnitude;
      r.thresholds.push_back(
          {names[0],
           {tv, rule.name + " " + tier.name + " at |" + ShortestNumber(tier.min_magnitude) + "|"}});
    }
  }
  return r;
}

std::map<std::string, RuleReading> FiringRules(const proto::ClipManifest& m) {
  std::map<std::string, RuleReading> out;
  const std::vector<triggers::RuleSpec> builtin = triggers::BuiltinRules();
  for (const proto::ClipEvent& e : m.events()) {
    for (const triggers::RuleSpec& r : builtin) {
      if (r.name == e.rule()) out.emplace(r.name, ReadRule(r));
    }
  }
  return out;
}

struct ReportTimeline {
  int64_t t0_ns = 0;
  double duration_s = 0;
  double At(int64_t mono_ns) const { return static_cast<double>(mono_ns - t0_ns) / 1e9; }
};

ReportTimeline MakeTimeline(const proto::ClipManifest& m) {
  ReportTimeline tl;
  int64_t start = m.window_start_mono_ns(), end = m.window_end_mono_ns();
  if (m.cameras_size() > 0) {
    start = m.cameras(0).first_packet_mono_ns();
    for (const proto::ClipCamera& c : m.cameras()) {
      start = std::min(start, c.first_packet_mono_ns());
      end = std::max(end, c.last_packet_mono_ns());
    }
  }
  tl.t0_ns = start;
  tl.duration_s = std::max(0.001, static_cast<double>(end - start) / 1e9);
  return tl;
}

double FrameInterval(const proto::ClipCamera& c) {
  if (c.packets() < 2) return 0.1;
  return static_cast<double>(c.last_packet_mono_ns() - c.first_packet_mono_ns()) / 1e9 /
         static_cast<double>(c.packets() - 1);
}

constexpr char kStyle[] = R"(
body{font:14px system-ui,sans-serif;margin:16px;background:#fafafa;color:#222}
h1{font-size:18px;margin:0 0 8px}h2{font-size:15px;margin:18px 0 6px}
.cams{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:8px}
.cam figcaption{font-weight:600;margin-bottom:2px}.cam video{width:100%;background:#000}
.controls{display:flex;gap:8px;align-items:center;margin:8px 0}.controls input[type=range]{flex:1}
svg.plot{display:block;background:#fff;border:1px solid #ddd;margin:4px 0;height:140px}
.curve{fill:none;stroke:#1565c0;stroke-width:1.3;vector-effect:non-scaling-stroke}
.window.pre{fill:#fff3e0}.window.post{fill:#e8f5e9}
.event{stroke:#c62828;stroke-width:2;vector-effect:non-scaling-stroke}
.threshold{stroke:#ef6c00;stroke-dasharray:6 4;vector-effect:non-scaling-stroke}
.threshold-label{font-size:10px;fill:#ef6c00;text-anchor:end}
.cursor{stroke:#000;stroke-width:1.5;vector-effect:non-scaling-stroke}
.name{font-size:12px;font-weight:600}.axis{font-size:10px;fill:#666}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
.ok{color:#2e7d32}.bad{color:#c62828;font-weight:600}code{font-size:12px}
)";

// Every video follows one clock: t on the timeline, video time = t - data-offset.
constexpr char kScript[] = R"(
(() => {
  const D = +document.body.dataset.duration, step = +document.body.dataset.frame;
  const videos = [...document.querySelectorAll('video.cam')];
  const scrub = document.getElementById('scrub'), label = document.getElementById('time');
  const play = document.getElementById('play');
  let t = 0, playing = false;
  const clamp = (x, a, b) => Math.min(Math.max(x, a), b);
  function drawCursor() {
    scrub.value = t;
    label.textContent = t.toFixed(3) + ' s';
    for (const s of document.querySelectorAll('svg.plot')) {
      const x = (+s.dataset.x0 + clamp(t / D, 0, 1) * +s.dataset.xw).toFixed(2);
      const c = s.querySelector('.cursor');
      c.setAttribute('x1', x); c.setAttribute('x2', x);
    }
  }
  function setTime(nt) {
    t = clamp(nt, 0, D);
    for (const v of videos) {
      const vt = t - +v.dataset.offset;
      const end = isFinite(v.duration) ? v.duration : vt;
      v.currentTime = clamp(vt, 0, end);
    }
    drawCursor();
  }
  function tick() {
    if (!playing) return;
    const lead = videos[0];
    t = lead.currentTime + +lead.dataset.offset;
    for (const v of videos.slice(1)) {
      const want = t - +v.dataset.offset;
      if (want >= 0 && Math.abs(v.currentTime - want) > 0.1) v.currentTime = want;
    }
    drawCursor();
    if (lead.ended || t >= D) { pause(); return; }
    requestAnimationFrame(tick);
  }
  function pause() { playing = false; for (const v of videos) v.pause(); play.textContent = 'Play'; }
  play.onclick = () => {
    if (playing) { pause(); return; }
    playing = true; play.textContent = 'Pause';
    Promise.all(videos.map((v) => v.play().catch(() => {}))).then(() => requestAnimationFrame(tick));
  };
  scrub.oninput = () => { pause(); setTime(+scrub.value); };
  document.getElementById('back').onclick = () => { pause(); setTime(t - step); };
  document.getElementById('fwd').onclick = () => { pause(); setTime(t + step); };
  window.fleetclipReport = { setTime, time: () => t, duration: D };
  drawCursor();
})();
)";

}  // namespace

std::vector<std::string> ReportSignals(const proto::ClipManifest& m,
                                       const std::vector<proto::SignalFrame>& frames) {
  std::vector<std::string> wanted = {"speed", "accel_long", "accel_lat", "steering_angle",
                                     "autonomy_engaged"};
  for (const auto& [name, reading] : FiringRules(m)) {
    for (const std::string& s : reading.signals) {
      if (std::find(wanted.begin(), wanted.end(), s) == wanted.end()) wanted.push_back(s);
    }
  }
  std::set<std::string> plottable;
  for (const SignalColumnInfo& c : SignalColumns(frames)) {
    if (c.kind == proto::SignalValue::kNumber || c.kind == proto::SignalValue::kFlag) {
      plottable.insert(c.name);
    }
  }
  std::vector<std::string> out;
  for (const std::string& s : wanted) {
    if (plottable.contains(s)) out.push_back(s);
  }
  return out;
}

Result<std::string> BuildClipReport(const ClipFolder& clip,
                                    const std::vector<proto::SignalFrame>& frames,
                                    const std::vector<FileCheck>& checks,
                                    const ReportOptions& options) {
  const proto::ClipManifest& m = clip.manifest;
  const ReportTimeline tl = MakeTimeline(m);
  const auto wall_ms = [&](int64_t mono_ns) { return FrameUnixMs(m.time_mapping(), mono_ns); };
  double frame = 0.1;
  if (m.cameras_size() > 0) frame = FrameInterval(m.cameras(0));

  std::string h = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>clip " +
                  HtmlEscape(m.clip_id()) + "</title><style>" + kStyle + "</style></head>";
  h += "<body data-duration=\"" + Fixed(tl.duration_s, 6) + "\" data-frame=\"" + Fixed(frame, 6) +
       "\">";
  h += "<h1>Clip " + HtmlEscape(m.clip_id()) + "</h1><div>vehicle <b>" +
       HtmlEscape(m.vehicle_id()) + "</b> · " + IsoTime(wall_ms(m.window_start_mono_ns())) + " · " +
       Fixed(static_cast<double>(m.window_end_mono_ns() - m.window_start_mono_ns()) / 1e9, 1) +
       " s · rules ";
  for (int i = 0; i < m.events_size(); ++i) h += (i ? ", " : "") + HtmlEscape(m.events(i).rule());
  h += "</div>";

  // Cameras.
  h += "<div class=\"cams\">";
  for (const proto::ClipCamera& c : m.cameras()) {
    const fs::path file = clip.dir / c.file();
    std::string src;
    if (options.embed) {
      auto bytes = ReadWholeFile(file);
      if (!bytes.ok()) return bytes.error();
      src = "data:video/mp4;base64," + Base64(*bytes);
    } else {
      std::error_code ec;
      fs::path rel = fs::relative(fs::absolute(file, ec), fs::absolute(options.html_dir, ec), ec);
      if (ec || rel.empty()) rel = fs::absolute(file);
      src = rel.generic_string();
    }
    const double expected =
        static_cast<double>(c.last_packet_mono_ns() - c.first_packet_mono_ns()) / 1e9 +
        FrameInterval(c);
    h += "<figure class=\"cam\"><figcaption>" + HtmlEscape(c.name()) + " <small>" +
         HtmlEscape(c.codec()) + " " + std::to_string(c.width()) + "×" +
         std::to_string(c.height()) +
         "</small></figcaption><video class=\"cam\" muted playsinline preload=\"auto\" "
         "data-camera=\"" +
         HtmlEscape(c.name()) + "\" data-offset=\"" + Fixed(tl.At(c.first_packet_mono_ns()), 6) +
         "\" data-expected-duration=\"" + Fixed(expected, 6) + "\" src=\"" + HtmlEscape(src) +
         "\"></video></figure>";
  }
  h += "</div><div class=\"controls\"><button id=\"play\">Play</button><button id=\"back\" "
       "title=\"previous frame\">◀ frame</button><button id=\"fwd\" title=\"next frame\">frame "
       "▶</button><input id=\"scrub\" type=\"range\" min=\"0\" max=\"" +
       Fixed(tl.duration_s, 6) + "\" step=\"0.001\" value=\"0\"><span id=\"time\">0 s</span></div>";

  // Plots.
  const std::map<std::string, RuleReading> rules = FiringRules(m);
  double first_trigger = tl.duration_s, last_trigger = 0;
  std::vector<PlotMark> marks;
  for (const proto::ClipEvent& e : m.events()) {
    const double t = tl.At(e.fired_mono_ns());
    first_trigger = std::min(first_trigger, t);
    last_trigger = std::max(last_trigger, t);
    marks.push_back({t, e.rule() + " at " + Fixed(t, 3) + " s"});
  }
  if (m.events_size() == 0) first_trigger = last_trigger = tl.duration_s / 2;
  h += "<h2>Signals</h2>";
  for (const std::string& name : ReportSignals(m, frames)) {
    PlotSpec spec;
    spec.signal = name;
    spec.duration_s = tl.duration_s;
    spec.window_start_s = tl.At(m.window_start_mono_ns());
    spec.window_end_s = tl.At(m.window_end_mono_ns());
    spec.first_trigger_s = first_trigger;
    spec.last_trigger_s = last_trigger;
    spec.events = marks;
    for (const auto& [rule, reading] : rules) {
      for (const auto& [signal, th] : reading.thresholds) {
        if (signal == name) spec.thresholds.push_back(th);
      }
    }
    for (const proto::SignalFrame& f : frames) {
      for (const proto::SignalValue& v : f.values()) {
        if (v.name() != name) continue;
        if (auto pv = PlotValue(v); pv && std::isfinite(*pv)) {
          spec.points.push_back({tl.At(f.mono_ns()), *pv});
        }
      }
    }
    h += PlotSvg(spec);
  }

  // Events.
  h += "<h2>Events</h2><table id=\"events\"><tr><th>rule</th><th>source</th><th>time</th><th>t "
       "(s)</th><th>peak</th><th>tier</th><th>tag</th><th>priority</th></tr>";
  for (const proto::ClipEvent& e : m.events()) {
    h += "<tr><td>" + HtmlEscape(e.rule()) + "</td><td>" + HtmlEscape(e.source()) + "</td><td>" +
         IsoTime(e.fired_unix_ms() != 0 ? e.fired_unix_ms() : wall_ms(e.fired_mono_ns())) +
         "</td><td>" + Fixed(tl.At(e.fired_mono_ns()), 3) + "</td><td>" +
         (std::isfinite(e.peak_value()) ? Fixed(e.peak_value(), 3) : "-") + "</td><td>" +
         HtmlEscape(e.tier()) + "</td><td>" + HtmlEscape(e.tag()) + "</td><td>" +
         std::to_string(e.priority()) + "</td></tr>";
  }
  h += "</table>";

  // Manifest.
  auto row = [&](std::string_view k, const std::string& v) {
    h += "<tr><th>" + HtmlEscape(k) + "</th><td>" + v + "</td></tr>";
  };
  h += "<h2>Manifest</h2><table id=\"manifest\">";
  row("clip id", HtmlEscape(m.clip_id()));
  row("vehicle", HtmlEscape(m.vehicle_id()) +
                     (m.fleet_id().empty() ? "" : " (fleet " + HtmlEscape(m.fleet_id()) + ")"));
  row("fleet config version", std::to_string(m.config_version()));
  row("software", HtmlEscape(m.software_version()));
  row("window", IsoTime(wall_ms(m.window_start_mono_ns())) + " → " +
                    IsoTime(wall_ms(m.window_end_mono_ns())) + " (mono " +
                    std::to_string(m.window_start_mono_ns()) + " → " +
                    std::to_string(m.window_end_mono_ns()) + " ns)");
  row("mono ↔ wall", "mono " + std::to_string(m.time_mapping().mono_ns()) +
                         " ns = " + IsoTime(m.time_mapping().wall_unix_ns() / 1'000'000) + " (" +
                         std::to_string(m.time_mapping().wall_unix_ns()) + " ns)");
  row("created", IsoTime(m.created_unix_ms()));
  h += "</table><h2>Files</h2><table id=\"files\"><tr><th>file</th><th>bytes</th><th>sha256</th>"
       "<th>verifies</th></tr>";
  bool all = true;
  for (const FileCheck& f : checks) {
    all = all && f.verified;
    h += "<tr><td>" + HtmlEscape(f.name) + "</td><td>" + std::to_string(f.bytes) +
         "</td><td><code>" + f.sha256_hex + "</code></td><td class=\"" +
         (f.verified ? "ok\">yes" : "bad\">no: " + HtmlEscape(f.problem)) + "</td></tr>";
  }
  h += std::string("</table><p class=\"") +
       (all ? "ok\">every file verifies" : "bad\">some files do not verify") + "</p>";
  h += std::string("<script>") + kScript + "</script></body></html>\n";
  return h;
}

}  // namespace fleetclip::cli
