// Map resolution and per-frame translation for triggers/can_translator.h.
#include "triggers/can_translator.h"

#include <charconv>
#include <set>
#include <string>

namespace fleetclip::triggers {

Result<CanTranslator> CanTranslator::Create(std::shared_ptr<const can::Dbc> dbc,
                                            std::span<const can::SignalMapEntry> map,
                                            const SignalCatalog& catalog,
                                            std::span<const can::MessageCheck> checks) {
  CanTranslator t(dbc, catalog, checks);
  size_t total = 0;
  for (const can::DbcMessage& m : dbc->messages) {
    t.first_target_.push_back(static_cast<uint32_t>(total));
    total += m.signals.size();
  }
  t.targets_of_.assign(total, -1);
  std::set<SignalId> mapped;
  for (const can::SignalMapEntry& e : map) {
    const std::string where = e.where.empty() ? std::string("CAN map") : e.where;
    // "Message.Signal" or a signal name that must be unique in the DBC.
    std::string message_name, signal_name = e.dbc_signal;
    if (const size_t dot = e.dbc_signal.find('.'); dot != std::string::npos) {
      message_name = e.dbc_signal.substr(0, dot);
      signal_name = e.dbc_signal.substr(dot + 1);
    }
    int64_t found = -1;
    std::string first_message;
    for (size_t mi = 0; mi < dbc->messages.size(); ++mi) {
      const can::DbcMessage& m = dbc->messages[mi];
      if (!message_name.empty() && m.name != message_name) continue;
      for (size_t si = 0; si < m.signals.size(); ++si) {
        if (m.signals[si].name != signal_name) continue;
        if (found >= 0) {
          return Error(ErrorCode::kInvalidArgument,
                       where + ": DBC signal " + signal_name + " is in messages " + first_message +
                           " and " + m.name + " of " + dbc->file + "; write Message.Signal");
        }
        found = static_cast<int64_t>(t.first_target_[mi] + si);
        first_message = m.name;
      }
    }
    if (found < 0) {
      return Error(ErrorCode::kInvalidArgument,
                   where + ": " + dbc->file + " has no signal " + e.dbc_signal);
    }
    const std::optional<SignalId> id = catalog.Find(e.signal);
    if (!id) {
      std::string hint;
      if (auto s = catalog.Suggest(e.signal)) hint = " (did you mean " + *s + "?)";
      return Error(ErrorCode::kInvalidArgument,
                   where + ": no catalogue signal named " + e.signal + hint);
    }
    const SignalKind kind = catalog.Info(*id).kind;
    if (kind != SignalKind::kNumber && e.scale != 1) {
      return Error(ErrorCode::kInvalidArgument, where + ": " + e.signal + " is a " +
                                                    std::string(SignalKindName(kind)) +
                                                    " signal; a scale applies to numbers only");
    }
    if (!mapped.insert(*id).second) {
      return Error(ErrorCode::kInvalidArgument,
                   where + ": " + e.signal + " is already mapped from another DBC signal");
    }
    if (t.targets_of_[static_cast<size_t>(found)] >= 0) {
      return Error(ErrorCode::kInvalidArgument,
                   where + ": DBC signal " + e.dbc_signal + " is mapped twice");
    }
    t.targets_of_[static_cast<size_t>(found)] = static_cast<int32_t>(t.targets_.size());
    t.targets_.push_back({*id, kind, e.scale});
  }
  return t;
}

bool CanTranslator::Translate(const can::CanFrame& frame, DecodedFrame& out) {
  out.Clear();
  ++stats_.frames;
  last_ = {};
  if (frame.mono_ns < last_frame_ns_) {
    ++stats_.out_of_order;
    return false;
  }
  last_frame_ns_ = frame.mono_ns;
  last_ = decoder_.Decode(frame);
  const can::DecodeResult& r = last_;
  if (r.message < 0 || r.bad_checksum) return false;
  const uint32_t first = first_target_[static_cast<size_t>(r.message)];
  for (const can::DecodedSignal& s : r.signals) {
    const int32_t ti = targets_of_[first + s.signal];
    if (ti < 0) continue;
    const Target& t = targets_[static_cast<size_t>(ti)];
    switch (t.kind) {
      case SignalKind::kNumber:
        out.numbers.emplace_back(t.id, s.value * t.scale);
        break;
      case SignalKind::kFlag:
        out.numbers.emplace_back(t.id, s.value != 0 ? 1.0 : 0.0);
        break;
      case SignalKind::kText: {
        if (out.text_count == out.texts.size()) out.texts.emplace_back();
        auto& [id, text] = out.texts[out.text_count++];
        id = t.id;
        if (s.label != nullptr) {
          text.assign(*s.label);
        } else {
          char buf[32];
          auto [end, ec] = std::to_chars(buf, buf + sizeof buf, s.value);
          text.assign(buf, ec == std::errc() ? end : buf);
        }
        break;
      }
    }
  }
  if (out.numbers.empty() && out.text_count == 0) return false;
  out.mono_ns = frame.mono_ns > last_mono_ns_ ? frame.mono_ns : last_mono_ns_ + 1;
  last_mono_ns_ = out.mono_ns;
  ++stats_.translated;
  return true;
}

CanTranslateStats CanTranslator::stats() const {
  CanTranslateStats s = stats_;
  s.unknown_ids = decoder_.unknown_ids();
  s.out_of_range = decoder_.out_of_range();
  s.counter_skips = decoder_.counter_skips();
  s.bad_checksums = decoder_.bad_checksums();
  s.healthy = decoder_.healthy();
  return s;
}

}  // namespace fleetclip::triggers
