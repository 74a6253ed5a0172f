// ClipStore: what fleet engineers ask of the queue (list, show, stats) and act on (retry, pin,
// delete), plus the storage budget's primitives (eviction candidates, evict, counters).
#include <map>
#include <string>

#include "queue/clip_store.h"
#include "queue/clip_store_impl.h"

namespace fleetclip::queue {

Result<ClipRecord> ClipStore::Get(std::string_view clip_id) {
  std::lock_guard lock(impl_->mu_);
  return impl_->GetLocked(clip_id, true);
}

Result<std::vector<ClipRecord>> ClipStore::List(const ListFilter& filter) {
  std::lock_guard lock(impl_->mu_);
  // Built per filter so SQLite can walk clips_by_created backwards and stop at the limit.
  std::string sql = std::string("SELECT ") + kClipColumns + " FROM clips WHERE created_unix_ms>=?1";
  if (filter.state) sql += " AND state=?2";
  if (!filter.rule.empty()) sql += " AND id IN (SELECT clip_id FROM events WHERE rule=?3)";
  sql += " ORDER BY created_unix_ms DESC, id DESC";
  if (filter.limit > 0) sql += " LIMIT ?4";
  auto st = impl_->db_.Prepare(sql);
  if (!st.ok()) return st.error();
  st->Bind(1, filter.since_unix_ms);
  if (filter.state) st->Bind(2, ClipStateName(*filter.state));
  if (!filter.rule.empty()) st->Bind(3, filter.rule);
  if (filter.limit > 0) st->Bind(4, filter.limit);
  std::vector<ClipRecord> out;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.push_back(Impl::ReadClip(*st));
  }
  return out;
}

Result<Stats> ClipStore::GetStats() {
  std::lock_guard lock(impl_->mu_);
  Db& db = impl_->db_;
  Stats stats;
  for (int i = 0; i <= static_cast<int>(ClipState::kLost); ++i) {
    stats.by_state.emplace_back(std::string(ClipStateName(static_cast<ClipState>(i))),
                                StateTotals{});
  }
  // One index-only scan (clips_stats) for both tables; `rules` lists a clip's distinct rules.
  auto st = db.Prepare(
      "SELECT state,rules,COUNT(*),TOTAL(bytes),TOTAL(local_bytes) FROM clips "
      "GROUP BY state,rules");
  if (!st.ok()) return st.error();
  std::map<std::string, StateTotals> rules;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    const StateTotals t{st->Int(2), static_cast<int64_t>(st->Double(3)),
                        static_cast<int64_t>(st->Double(4))};
    if (auto state = ParseClipState(st->Text(0))) {
      StateTotals& s = stats.by_state[static_cast<size_t>(*state)].second;
      s.clips += t.clips;
      s.bytes += t.bytes;
      s.local_bytes += t.local_bytes;
      stats.local_bytes += t.local_bytes;
    }
    const std::string list = st->Text(1);
    for (size_t start = 0; start < list.size();) {
      size_t end = list.find(',', start);
      if (end == std::string::npos) end = list.size();
      StateTotals& r = rules[list.substr(start, end - start)];
      r.clips += t.clips;
      r.bytes += t.bytes;
      r.local_bytes += t.local_bytes;
      start = end + 1;
    }
  }
  stats.by_rule.assign(rules.begin(), rules.end());
  auto oldest = db.Prepare(std::string("SELECT ") + kClipColumns +
                           " FROM clips WHERE state='ready' ORDER BY created_unix_ms, id LIMIT 1");
  if (!oldest.ok()) return oldest.error();
  auto row = oldest->Step();
  if (!row.ok()) return row.error();
  if (*row) stats.oldest_waiting = Impl::ReadClip(*oldest);
  auto counters = db.Prepare("SELECT name,value FROM counters");
  if (!counters.ok()) return counters.error();
  while (true) {
    auto r = counters->Step();
    if (!r.ok()) return r.error();
    if (!*r) break;
    if (counters->Text(0) == kCounterDroppedNoSpace) stats.dropped_no_space = counters->Int(1);
    if (counters->Text(0) == kCounterEvicted) stats.evicted = counters->Int(1);
  }
  return stats;
}

Result<int> ClipStore::Retry(std::string_view clip_id) {
  std::lock_guard lock(impl_->mu_);
  auto st = impl_->db_.Prepare(
      "UPDATE clips SET state='ready',attempts=0,next_attempt_unix_ms=0,last_error='' "
      "WHERE id=?1 AND state='failed'");
  if (!st.ok()) return st.error();
  if (Status s = st->Bind(1, clip_id).Run(); !s.ok()) return s.error();
  if (impl_->db_.Changes() == 0) return impl_->NoChangeErrorLocked(clip_id, "retry", "failed");
  impl_->log_.Notice("clip_retry", {{"clip", clip_id}});
  return 1;
}

Result<int> ClipStore::RetryAllFailed() {
  std::lock_guard lock(impl_->mu_);
  Status s = impl_->db_.Exec(
      "UPDATE clips SET state='ready',attempts=0,next_attempt_unix_ms=0,last_error='' "
      "WHERE state='failed'");
  if (!s.ok()) return s.error();
  const int n = static_cast<int>(impl_->db_.Changes());
  impl_->log_.Notice("clips_retry", {{"clips", n}});
  return n;
}

Status ClipStore::SetPinned(std::string_view clip_id, bool pinned) {
  std::lock_guard lock(impl_->mu_);
  // Not on a clip whose removal is under way (marked; only a crash leaves such a row visible),
  // and a pin only on a clip that still has its files.
  auto st = impl_->db_.Prepare(
      "UPDATE clips SET pinned=?2 WHERE id=?1 AND deleting=0 AND (?2=0 OR local_bytes>0)");
  if (!st.ok()) return st.error();
  if (Status s = st->Bind(1, clip_id).Bind(2, pinned ? 1 : 0).Run(); !s.ok()) return s;
  if (impl_->db_.Changes() == 0) {
    const std::string id(clip_id);
    auto c = impl_->GetLocked(clip_id, false);
    if (!c.ok()) return Error(ErrorCode::kNotFound, "no clip " + id);
    if (c->local_bytes == 0) {
      return Error(ErrorCode::kInvalidArgument, "clip " + id + " is " +
                                                    std::string(ClipStateName(c->state)) +
                                                    ": it has no local files to keep");
    }
    return Error(ErrorCode::kInvalidArgument, "clip " + id + " is already being removed");
  }
  impl_->log_.Notice(pinned ? "clip_pinned" : "clip_unpinned", {{"clip", clip_id}});
  return Ok();
}

Status ClipStore::Delete(std::string_view clip_id) {
  std::lock_guard lock(impl_->mu_);
  if (Status s = impl_->RemoveBundleLocked(clip_id, AfterRemoval::kDeleteRow); !s.ok()) return s;
  impl_->log_.Notice("clip_deleted", {{"clip", clip_id}});
  return Ok();
}

Result<std::vector<ClipRecord>> ClipStore::EvictionCandidates(int incoming_priority) {
  std::lock_guard lock(impl_->mu_);
  auto st = impl_->db_.Prepare(
      std::string("SELECT ") + kClipColumns +
      " FROM clips WHERE local_bytes>0 AND pinned=0 AND deleting=0 AND (state='uploaded' OR "
      "(state IN ('ready','failed','lost') AND priority<=?1)) ORDER BY state<>'uploaded', "
      "CASE WHEN state='uploaded' THEN 0 ELSE priority END, created_unix_ms, id");
  if (!st.ok()) return st.error();
  st->Bind(1, incoming_priority);
  std::vector<ClipRecord> out;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.push_back(Impl::ReadClip(*st));
  }
  return out;
}

Status ClipStore::Evict(std::string_view clip_id) {
  std::lock_guard lock(impl_->mu_);
  if (Status s = impl_->RemoveBundleLocked(clip_id, AfterRemoval::kKeepEvicted); !s.ok()) return s;
  auto st = impl_->db_.Prepare(
      "INSERT INTO counters VALUES(?1,1) ON CONFLICT(name) DO UPDATE SET value=value+1");
  if (!st.ok()) return st.error();
  if (Status s = st->Bind(1, kCounterEvicted).Run(); !s.ok()) return s;
  impl_->log_.Notice("clip_evicted", {{"clip", clip_id}});
  return Ok();
}

Result<int64_t> ClipStore::LocalBytes() {
  std::lock_guard lock(impl_->mu_);
  return impl_->db_.QueryInt("SELECT TOTAL(local_bytes) FROM clips");
}

Status ClipStore::IncrementCounter(std::string_view name, int64_t by) {
  std::lock_guard lock(impl_->mu_);
  auto st = impl_->db_.Prepare(
      "INSERT INTO counters VALUES(?1,?2) ON CONFLICT(name) DO UPDATE SET value=value+?2");
  if (!st.ok()) return st.error();
  return st->Bind(1, name).Bind(2, by).Run();
}

Result<int64_t> ClipStore::Counter(std::string_view name) {
  std::lock_guard lock(impl_->mu_);
  auto st = impl_->db_.Prepare("SELECT value FROM counters WHERE name=?1");
  if (!st.ok()) return st.error();
  auto row = st->Bind(1, name).Step();
  if (!row.ok()) return row.error();
  return *row ? st->Int(0) : int64_t{0};
}

Result<std::string> ClipStore::IntegrityCheck() {
  std::lock_guard lock(impl_->mu_);
  auto st = impl_->db_.Prepare("PRAGMA integrity_check");
  if (!st.ok()) return st.error();
  std::string out;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    if (!out.empty()) out += "\n";
    out += st->Text(0);
  }
  return out;
}

}  // namespace fleetclip::queue
