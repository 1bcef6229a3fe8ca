// The ingest driver: framing lines into chunks, parsing on workers, merging in order.
#include "engine/ingest/ingest.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "base/threads.h"
#include "base/utf8.h"
#include "engine/ingest/record_parser.h"
#include "engine/ingest/summary.h"

namespace tosguard::engine {
namespace {

constexpr std::size_t kReadBlock = 1 << 20;

// The composite keys seen so far of one record kind (acceptances, signals): their
// values, tuple after tuple, found through an index over each tuple's bytes.
struct CompositeKeys {
  static constexpr std::size_t kMaxValues = 4;
  std::vector<std::int64_t> values;
  KeyIndex index;
};

// A fixed set of worker threads; each task learns which worker runs it, so it can
// use that worker's own parsers. Tasks run in the order of their keys (the file index):
// the chunks the merger needs first are parsed first, whichever reader queued them.
class WorkerPool {
 public:
  explicit WorkerPool(unsigned n) {
    for (unsigned i = 0; i < n; ++i) threads_.emplace_back([this, i] { Loop(i); });
  }
  ~WorkerPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(std::uint64_t key, std::function<void(unsigned)> task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.emplace(std::make_pair(key, next_++), std::move(task));
    }
    cv_.notify_one();
  }

 private:
  void Loop(unsigned worker) {
    for (;;) {
      std::function<void(unsigned)> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.begin()->second);
        tasks_.erase(tasks_.begin());
      }
      task(worker);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::function<void(unsigned)>> tasks_;  // (key, arrival)
  std::uint64_t next_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// The slot whose value orders records of a kind in time, if any.
std::optional<std::size_t> TimeSlot(RecordKind kind) {
  switch (kind) {
    case RecordKind::kEvent: return event_slot::kTs;
    case RecordKind::kSignal: return signal_slot::kTs;
    case RecordKind::kAcceptance: return acceptance_slot::kAcceptedAt;
    case RecordKind::kAccount: return std::nullopt;
  }
  return std::nullopt;
}

void AddStats(FileStats& into, const FileStats& s) {
  into.lines += s.lines;
  into.records += s.records;
  into.header_lines += s.header_lines;
  into.quarantined += s.quarantined;
  for (std::size_t i = 0; i < kQuarantineReasonCount; ++i) into.by_reason[i] += s.by_reason[i];
  into.out_of_order += s.out_of_order;
  if (s.min_ts && (!into.min_ts || *s.min_ts < *into.min_ts)) into.min_ts = s.min_ts;
  if (s.max_ts && (!into.max_ts || *s.max_ts > *into.max_ts)) into.max_ts = s.max_ts;
}

class Ingester {
 public:
  Ingester(const IngestConfig& config, const IngestOptions& options)
      : config_(config), options_(options) {}

  Result<IngestResult> Run();

 private:
  // What a reading thread hands to the merging thread, in its files' order.
  struct Item {
    enum class Kind : std::uint8_t { kChunk, kCsvHeader, kFileEnd, kError, kDone };
    Kind kind = Kind::kDone;
    std::future<ParsedChunk> parsed;  // kChunk
    std::uint32_t file = 0;           // kCsvHeader, kFileEnd
    Digest sha256{};                  // kFileEnd
    std::uint64_t stored_bytes = 0;   // kFileEnd
    std::uint64_t content_bytes = 0;  // kFileEnd
    Status error;                     // kError
  };

  // Reading thread `lane` of `lanes_.size()`: files lane, lane + lanes, ... in order,
  // then kDone. Several readers hash and decompress several files of a source at once
  // (SHA-256 and inflating are sequential within a file); the merger still takes the
  // files in order. A reader starts a file of another source than the one being merged
  // only once the merger reaches it: reading a small source ahead beside a large file
  // only adds memory and, measured, time.
  void ReadAll(std::uint32_t lane);
  Status ReadFile(std::uint32_t lane, std::uint32_t file_index);
  Status Submit(std::uint32_t lane, std::unique_ptr<Chunk> chunk);
  // The hand-over from the reading threads to the merging thread, one queue (lane) per
  // reader. Push blocks while the lane is full or, for a lane other than the one being
  // merged, while it holds kReadAhead items or all lanes as many as one reader may.
  void Push(std::uint32_t lane, Item item);
  Item Pop(std::uint32_t lane);
  // The merger moves to `file` (files.size() when it drains the lanes after the last
  // file or an error): readers waiting for it may start.
  void Merging(std::uint32_t file, std::uint32_t lane);
  // Blocks a reader until it may start `file` (see ReadAll).
  void AwaitTurn(std::uint32_t file);
  std::unique_ptr<Chunk> TakeChunk();
  void ReturnChunk(std::unique_ptr<Chunk> chunk);
  Status Merge(ParsedChunk pc);
  Status Quarantine(const QuarantineEntry& e, InputFile& file);

  const IngestConfig& config_;
  const IngestOptions& options_;
  IngestResult result_;
  std::vector<CompiledSource> compiled_;
  unsigned threads_ = 1;
  std::unique_ptr<WorkerPool> pool_;
  // Per worker, per source: parsers are created lazily by the worker that uses them.
  std::vector<std::vector<std::unique_ptr<ChunkParser>>> parsers_;
  // Between the reading threads and the merging thread.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<std::deque<Item>> lanes_;
  std::size_t queue_capacity_ = 4;  // items in the merged lane, or in all lanes for another
  std::size_t queued_ = 0;          // items in all lanes
  std::uint32_t merging_file_ = 0;
  std::uint32_t merging_lane_ = 0;
  std::atomic<bool> stop_reading_{false};       // the merger failed: read no further
  std::mutex spare_mu_;
  std::vector<std::unique_ptr<Chunk>> spare_chunks_;  // merged chunks, buffers kept for reuse
  // Merging thread only.
  std::vector<std::uint64_t> file_lines_;       // per file: lines merged so far
  std::vector<std::uint64_t> content_estimate_;  // per file: its content's size, roughly
  QuarantineWriter quarantine_;
  // Duplicate detection: for single-string keys, the first row per symbol.
  std::array<std::vector<std::uint32_t>, 4> first_row_by_symbol_;
  std::array<CompositeKeys, 4> seen_keys_;
  std::vector<std::optional<TimestampUs>> last_ts_;  // per file
};

Result<IngestResult> Ingester::Run() {
  // Compile the sources.
  std::vector<std::pair<std::size_t, const dsl::Regex*>> matches;
  for (const TextMatch& m : options_.event_matches) matches.emplace_back(m.slot, m.re);
  compiled_.reserve(config_.sources.size());
  for (const SourceConfig& s : config_.sources) {
    const RecordSchema& schema =
        s.kind == RecordKind::kAccount ? config_.account_schema : CanonicalSchema(s.kind);
    auto cs = CompiledSource::Compile(s, schema, options_.needed[static_cast<std::size_t>(s.kind)],
                                      options_.check_unneeded,
                                      s.kind == RecordKind::kEvent ? matches : decltype(matches){});
    if (!cs.ok()) return cs.status();
    compiled_.push_back(std::move(*cs));
  }
  result_.data.accounts = RecordTable(config_.account_schema);
  result_.data.events = RecordTable(CanonicalSchema(RecordKind::kEvent), matches.size());
  result_.data.event_matches = options_.event_matches;
  for (TextMatch& m : result_.data.event_matches) m.re = nullptr;
  for (const CompiledSource& cs : compiled_) {
    result_.data.table(cs.schema().kind()).Materialise(cs.materialised());
  }
  // Resolve every file before reading any, so a missing one fails fast.
  for (std::uint32_t si = 0; si < config_.sources.size(); ++si) {
    auto paths = ExpandSourcePaths(config_.sources[si], config_.base_dir);
    if (!paths.ok()) return paths.status();
    for (const std::string& p : *paths) {
      InputFile f;
      f.source = si;
      f.path = p;
      auto reader = ContentReader::Open(p);  // checks existence, type, magic bytes
      if (!reader.ok()) return reader.status();
      f.compression = (*reader)->compression();
      std::error_code ec;
      const std::uint64_t stored = std::filesystem::file_size(p, ec);
      // Compressed logs typically shrink four- to tenfold; the estimate only sizes
      // reservations, so being wrong costs a regrowth, nothing more.
      content_estimate_.push_back(ec ? 0 : f.compression == Compression::kNone ? stored : stored * 4);
      result_.data.files.push_back(std::move(f));
    }
  }
  last_ts_.assign(result_.data.files.size(), std::nullopt);
  file_lines_.assign(result_.data.files.size(), 0);

  const std::string qpath = options_.quarantine_path.value_or(config_.quarantine_path);
  TOSGUARD_RETURN_IF_ERROR(quarantine_.Open(qpath));
  result_.quarantine_path = qpath;

  threads_ = ThreadCount(options_.threads);
  parsers_.resize(threads_ > 1 ? threads_ : 1);
  for (auto& per_worker : parsers_) per_worker.resize(compiled_.size());
  if (threads_ > 1) pool_ = std::make_unique<WorkerPool>(threads_);

  // Reading threads (one per worker, at most one per file) read, hash and cut files into
  // chunks; workers parse them; this thread merges the parsed chunks in input order.
  const auto files = static_cast<std::uint32_t>(result_.data.files.size());
  const std::uint32_t readers = std::max<std::uint32_t>(1, std::min(threads_, files));
  queue_capacity_ = 2 * static_cast<std::size_t>(threads_) + 2;
  lanes_.resize(readers);
  std::vector<std::thread> reader_threads;
  for (std::uint32_t l = 0; l < readers; ++l) reader_threads.emplace_back([this, l] { ReadAll(l); });
  Status st;
  std::uint32_t next_file = 0;               // the file being merged
  std::vector<bool> lane_done(readers, false);
  for (;;) {
    // The next file's lane while all is well; after an error (or the last file), every
    // lane is drained to its end, so no reader or worker outlives its data.
    std::uint32_t lane = readers;
    if (st.ok() && next_file < files) {
      lane = next_file % readers;
    } else {
      for (std::uint32_t l = 0; l < readers && lane == readers; ++l) {
        if (!lane_done[l]) lane = l;
      }
      if (lane == readers) break;
    }
    Merging(st.ok() ? next_file : files, lane);
    Item item = Pop(lane);
    if (item.kind == Item::Kind::kDone) {
      lane_done[lane] = true;
      continue;
    }
    Status step;
    switch (item.kind) {
      case Item::Kind::kChunk: {
        // Always wait for the parse, even after an error, so no worker outlives its data.
        ParsedChunk pc = item.parsed.get();
        if (st.ok()) step = Merge(std::move(pc));
        break;
      }
      case Item::Kind::kCsvHeader: {
        InputFile& f = result_.data.files[item.file];
        ++f.stats.lines;
        ++f.stats.header_lines;
        file_lines_[item.file] = 1;
        break;
      }
      case Item::Kind::kFileEnd: {
        InputFile& f = result_.data.files[item.file];
        f.sha256 = item.sha256;
        f.stored_bytes = item.stored_bytes;
        f.content_bytes = item.content_bytes;
        ++next_file;
        break;
      }
      case Item::Kind::kError: step = item.error; break;
      case Item::Kind::kDone: break;
    }
    if (st.ok() && !step.ok()) {
      st = step;
      std::lock_guard<std::mutex> lock(queue_mu_);
      stop_reading_ = true;
      queue_cv_.notify_all();
    }
  }
  for (std::thread& t : reader_threads) t.join();
  pool_.reset();
  if (!st.ok()) return st;
  TOSGUARD_RETURN_IF_ERROR(quarantine_.Close());

  for (const InputFile& f : result_.data.files) AddStats(result_.totals, f.stats);

  // Cross-checks between kinds.
  Dataset& d = result_.data;
  std::vector<std::uint8_t> is_account(d.dict.strings.size(), 0);
  for (std::size_t r = 0; r < d.accounts.rows(); ++r) {
    is_account[d.accounts.Sym(account_slot::kAccountId, r)] = 1;
  }
  std::vector<std::uint8_t> event_account(d.dict.strings.size(), 0);
  for (std::size_t r = 0; r < d.events.rows(); ++r) {
    const SymbolId a = d.events.Sym(event_slot::kAccountId, r);
    if (event_account[a] == 0) {
      event_account[a] = 1;
      ++result_.links.event_accounts;
      if (is_account[a] == 0) ++result_.links.unknown_accounts;
    }
    if (is_account[a] == 0) ++result_.links.events_of_unknown_accounts;
  }
  for (std::size_t r = 0; r < d.acceptances.rows(); ++r) {
    if (is_account[d.acceptances.Sym(acceptance_slot::kAccountId, r)] == 0) {
      ++result_.links.acceptances_of_unknown_accounts;
    }
  }
  const SymbolId event_kind = d.dict.strings.Find("event");
  for (std::size_t r = 0; r < d.signals.rows(); ++r) {
    const SymbolId subject = d.signals.Sym(signal_slot::kSubject, r);
    const bool is_event_subject = d.signals.Sym(signal_slot::kSubjectKind, r) == event_kind;
    const bool known = is_event_subject
                           ? d.FindEvent(d.dict.strings.Name(subject)) != KeyIndex::kNone
                           : subject < is_account.size() && is_account[subject] != 0;
    if (!known) ++result_.links.signals_of_unknown_subjects;
  }

  // The quarantine limit.
  const QuarantineLimit limit = options_.limit.value_or(config_.quarantine_limit);
  const std::uint64_t q = result_.totals.quarantined;
  const std::uint64_t lines = result_.totals.lines;
  if (limit.max_count && q > *limit.max_count) {
    result_.over_quarantine_limit = true;
    result_.limit_message = std::to_string(q) + " lines quarantined, more than the limit of " +
                            std::to_string(*limit.max_count);
  } else if (limit.max_fraction && lines > 0 &&
             static_cast<double>(q) > *limit.max_fraction * static_cast<double>(lines)) {
    result_.over_quarantine_limit = true;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%llu of %llu lines quarantined (%.2f%%), more than the limit of %.2f%%",
                  static_cast<unsigned long long>(q), static_cast<unsigned long long>(lines),
                  100.0 * static_cast<double>(q) / static_cast<double>(lines),
                  100.0 * *limit.max_fraction);
    result_.limit_message = buf;
  }
  return std::move(result_);
}

Status Ingester::ReadFile(std::uint32_t lane, std::uint32_t file_index) {
  InputFile& file = result_.data.files[file_index];
  const CompiledSource& cs = compiled_[file.source];
  const bool csv = cs.source().format == InputFormat::kCsv;
  auto opened = ContentReader::Open(file.path);
  if (!opened.ok()) return opened.status();
  ContentReader& reader = **opened;
  const std::uint64_t max_line = config_.max_line_bytes;
  const std::size_t block = std::max<std::size_t>(options_.chunk_bytes, 1);
  std::shared_ptr<const CsvLayout> layout;
  std::uint64_t offset = 0;  // content bytes read so far
  std::unique_ptr<Chunk> pending;  // the chunk that follows a skipped long line
  file_lines_[file_index] = 0;

  auto take_chunk = [&]() {
    std::unique_ptr<Chunk> c = TakeChunk();
    c->file = file_index;
    c->source = file.source;
    c->max_line_bytes = max_line;
    c->ends_unterminated = false;
    c->size = 0;
    return c;
  };

  // A line longer than max_line that did not fit a chunk: skip the rest of it as it
  // streams by, and quarantine it through a chunk of its own so it keeps its place.
  auto skip_long_line = [&](std::unique_ptr<Chunk> c) -> Status {
    const std::uint64_t line_offset = c->base_offset;
    std::uint64_t length = c->data.size();
    char last_byte = c->data.empty() ? '\0' : c->data.data()[c->data.size() - 1];
    // The excerpt is made from enough of the line to end exactly as the excerpt of the
    // whole line would (a UTF-8 sequence is at most 4 bytes), whatever the chunk size.
    constexpr std::size_t kHead = kExcerptBytes + 4;
    std::string head(c->data.view().substr(0, kHead));
    std::vector<char> buf(kReadBlock);
    std::string rest;  // bytes after the long line's '\n'
    for (;;) {
      auto n = reader.Read(buf.data(), buf.size());
      if (!n.ok()) return n.status();
      if (*n == 0) break;  // the long line is the file's last
      offset += *n;
      const void* nl = std::memchr(buf.data(), '\n', *n);
      const std::size_t in_line =
          nl == nullptr ? *n : static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
      if (head.size() < kHead) head.append(buf.data(), std::min(in_line, kHead - head.size()));
      if (nl == nullptr) {
        length += *n;
        last_byte = buf[*n - 1];
        continue;
      }
      length += in_line;
      if (in_line > 0) last_byte = buf[in_line - 1];
      rest.assign(buf.data() + in_line + 1, *n - in_line - 1);
      break;
    }
    if (last_byte == '\r') --length;  // as for every line, a "\r\n" ending is not counted
    if (head.size() > length) head.resize(length);
    ParsedChunk pc;
    pc.lines = 1;
    pc.table = cs.NewTable();
    pc.quarantine.push_back(QuarantineEntry{
        SourceRef{file_index, 1, line_offset, static_cast<std::uint32_t>(std::min<std::uint64_t>(length, 0xFFFFFFFFu))},
        QuarantineReason::kLineTooLong,
        "line of " + std::to_string(length) + " bytes, longer than max_line_bytes " + std::to_string(max_line),
        SafeExcerpt(head, kExcerptBytes)});
    c->size = 0;
    pc.chunk = std::move(c);
    std::promise<ParsedChunk> done;
    done.set_value(std::move(pc));
    Item item;
    item.kind = Item::Kind::kChunk;
    item.parsed = done.get_future();
    Push(lane, std::move(item));
    // The bytes after the long line start the next chunk.
    pending = take_chunk();
    pending->base_offset = offset - rest.size();
    pending->data.append(rest.data(), rest.size());
    return Status::Ok();
  };

  std::unique_ptr<Chunk> chunk = take_chunk();
  chunk->base_offset = 0;
  bool eof = false;
  while (!eof && !stop_reading_) {
    // Fill the chunk up to `block` bytes past what it holds.
    const std::size_t have = chunk->data.size();
    chunk->data.resize(have + block);
    std::size_t got = 0;
    while (got < block) {
      auto n = reader.Read(chunk->data.data() + have + got, block - got);
      if (!n.ok()) return n.status();
      if (*n == 0) {
        eof = true;
        break;
      }
      got += *n;
    }
    chunk->data.resize(have + got);
    offset += got;
    if (offset == got && chunk->data.view().substr(0, 3) == "\xEF\xBB\xBF") {
      // A UTF-8 byte order mark (as some Windows tools write) is not part of the first
      // line: it is hashed with the file, and line 1 starts after it.
      chunk->data.erase_front(3);
      chunk->base_offset += 3;
    }

    if (csv && !layout) {
      // The header is the first line of the file.
      const std::size_t nl = chunk->data.view().find('\n');
      if (nl == std::string::npos && !eof && chunk->data.size() <= max_line) continue;
      const std::size_t end = nl == std::string::npos ? chunk->data.size() : nl;
      if (end > max_line) {
        return Status::InvalidArgument("'" + DisplayPath(config_, file.path) +
                                       "': the CSV header line is longer than max_line_bytes");
      }
      std::string_view header(chunk->data.data(), end);
      if (!header.empty() && header.back() == '\r') header.remove_suffix(1);
      if (!header.empty() || nl != std::string::npos) {
        auto l = ReadCsvHeader(header, cs, DisplayPath(config_, file.path));
        if (!l.ok()) return l.status();
        layout = std::make_shared<const CsvLayout>(std::move(*l));
        Item item;
        item.kind = Item::Kind::kCsvHeader;
        item.file = file_index;
        Push(lane, std::move(item));
        const std::size_t drop = nl == std::string::npos ? chunk->data.size() : nl + 1;
        chunk->data.erase_front(drop);
        chunk->base_offset += drop;
      }
    }
    chunk->csv = layout;

    // Cut after the last newline; the partial line after it starts the next chunk.
    const void* last = chunk->data.empty() ? nullptr : memrchr(chunk->data.data(), '\n', chunk->data.size());
    if (last == nullptr && !eof) {
      if (chunk->data.size() > max_line) {
        TOSGUARD_RETURN_IF_ERROR(skip_long_line(std::move(chunk)));
        chunk = std::move(pending);
      }
      continue;  // read more of this line
    }
    std::unique_ptr<Chunk> next = take_chunk();
    if (eof) {
      chunk->size = chunk->data.size();
      chunk->ends_unterminated = chunk->size > 0 && chunk->data.data()[chunk->size - 1] != '\n';
    } else {
      const auto cut = static_cast<std::size_t>(static_cast<const char*>(last) - chunk->data.data()) + 1;
      next->data.append(chunk->data.data() + cut, chunk->data.size() - cut);
      chunk->size = cut;
    }
    next->base_offset = chunk->base_offset + chunk->size;
    chunk->data.resize(chunk->size);
    chunk->data.append_zeros(kChunkPadding);
    if (chunk->size > 0) TOSGUARD_RETURN_IF_ERROR(Submit(lane, std::move(chunk)));
    chunk = std::move(next);
  }
  ReturnChunk(std::move(chunk));
  Item end;
  end.kind = Item::Kind::kFileEnd;
  end.file = file_index;
  end.sha256 = reader.file_sha256();
  end.stored_bytes = reader.stored_bytes();
  end.content_bytes = offset;
  Push(lane, std::move(end));
  return Status::Ok();
}

void Ingester::ReadAll(std::uint32_t lane) {
  const auto stride = static_cast<std::uint32_t>(lanes_.size());
  for (std::uint32_t fi = lane; fi < result_.data.files.size() && !stop_reading_; fi += stride) {
    AwaitTurn(fi);
    if (stop_reading_) break;
    Status st = ReadFile(lane, fi);
    if (!st.ok()) {
      Item error;
      error.kind = Item::Kind::kError;
      error.error = std::move(st);
      Push(lane, std::move(error));
      break;
    }
  }
  Push(lane, Item{});  // kDone
}

// Items a reader may queue ahead of the file being merged: enough to hash and inflate
// the start of the next file meanwhile, few enough to cost little memory.
constexpr std::size_t kReadAhead = 2;

void Ingester::Push(std::uint32_t lane, Item item) {
  std::unique_lock<std::mutex> lock(queue_mu_);
  // Errors and the end always get in, so the merger learns of them. The lane being
  // merged may always fill to its capacity, so the merger never waits on a reader that
  // waits for room; the others only read a little ahead, into what it leaves.
  const bool must = item.kind == Item::Kind::kError || item.kind == Item::Kind::kDone;
  std::deque<Item>& q = lanes_[lane];
  queue_cv_.wait(lock, [&] {
    return must || (q.size() < queue_capacity_ &&
                    (lane == merging_lane_ || (q.size() < kReadAhead && queued_ < queue_capacity_)));
  });
  q.push_back(std::move(item));
  ++queued_;
  queue_cv_.notify_all();
}

Ingester::Item Ingester::Pop(std::uint32_t lane) {
  std::unique_lock<std::mutex> lock(queue_mu_);
  std::deque<Item>& q = lanes_[lane];
  queue_cv_.wait(lock, [&] { return !q.empty(); });
  Item item = std::move(q.front());
  q.pop_front();
  --queued_;
  queue_cv_.notify_all();
  return item;
}

void Ingester::Merging(std::uint32_t file, std::uint32_t lane) {
  std::lock_guard<std::mutex> lock(queue_mu_);
  if (merging_file_ == file && merging_lane_ == lane) return;
  merging_file_ = file;
  merging_lane_ = lane;
  queue_cv_.notify_all();
}

void Ingester::AwaitTurn(std::uint32_t file) {
  const std::vector<InputFile>& files = result_.data.files;
  std::unique_lock<std::mutex> lock(queue_mu_);
  queue_cv_.wait(lock, [&] {
    return stop_reading_ || merging_file_ >= file ||
           files[merging_file_].source == files[file].source;
  });
}

std::unique_ptr<Chunk> Ingester::TakeChunk() {
  {
    std::lock_guard<std::mutex> lock(spare_mu_);
    if (!spare_chunks_.empty()) {
      // Reuse a merged chunk's buffers: no new pages to fault in for every chunk.
      std::unique_ptr<Chunk> c = std::move(spare_chunks_.back());
      spare_chunks_.pop_back();
      c->data.clear();
      c->lines.clear();
      return c;
    }
  }
  return std::make_unique<Chunk>();
}

void Ingester::ReturnChunk(std::unique_ptr<Chunk> chunk) {
  std::lock_guard<std::mutex> lock(spare_mu_);
  spare_chunks_.push_back(std::move(chunk));
}

Status Ingester::Submit(std::uint32_t lane, std::unique_ptr<Chunk> chunk) {
  const std::uint32_t source = chunk->source;
  Item item;
  item.kind = Item::Kind::kChunk;
  if (!pool_) {
    auto& parser = parsers_[0][source];
    if (!parser) parser = std::make_unique<ChunkParser>(compiled_[source]);
    std::promise<ParsedChunk> done;
    done.set_value(parser->Parse(std::move(chunk)));
    item.parsed = done.get_future();
  } else {
    auto promise = std::make_shared<std::promise<ParsedChunk>>();
    item.parsed = promise->get_future();
    // The task owns its chunk; the worker's parser for the source is made on first use.
    auto* raw = chunk.release();
    pool_->Submit(raw->file, [this, promise, raw, source](unsigned worker) {
      std::unique_ptr<Chunk> owned(raw);
      auto& parser = parsers_[worker][source];
      if (!parser) parser = std::make_unique<ChunkParser>(compiled_[source]);
      promise->set_value(parser->Parse(std::move(owned)));
    });
  }
  // Blocks while enough chunks are in flight: memory stays bounded.
  Push(lane, std::move(item));
  return Status::Ok();
}

Status Ingester::Quarantine(const QuarantineEntry& e, InputFile& file) {
  ++file.stats.quarantined;
  ++file.stats.by_reason[static_cast<std::size_t>(e.reason)];
  return quarantine_.Write(e, config_.sources[file.source].name, DisplayPath(config_, file.path));
}

Status Ingester::Merge(ParsedChunk pc) {
  const Chunk& chunk = *pc.chunk;
  InputFile& file = result_.data.files[chunk.file];
  const RecordTable& local = *pc.table;
  const RecordKind kind = local.schema().kind();
  RecordTable& global = result_.data.table(kind);
  Dictionaries& gd = result_.data.dict;
  file.stats.lines += pc.lines;
  // Chunk-relative line numbers become file line numbers.
  const std::uint64_t base_line = file_lines_[chunk.file];
  file_lines_[chunk.file] += pc.lines;
  for (QuarantineEntry& e : pc.quarantine) e.ref.line += base_line;

  const std::vector<std::size_t> keys = RecordKeySlots(kind);
  if (keys.size() > CompositeKeys::kMaxValues) {
    return Status::Internal("a record key of more than four fields");  // RecordKeySlots changed
  }
  const bool key_as_text = keys.size() == 1 && local.column(keys[0]).as_text;
  // The first chunk of a file tells its line density: make room for the whole file at
  // once rather than growing (and rehashing) step by step.
  if (base_line <= 1 && chunk.size > 0) {
    const std::uint64_t expected_rows =
        content_estimate_[chunk.file] * pc.lines / chunk.size;
    global.Reserve(global.rows() + expected_rows);
    if (key_as_text) {
      // Unique keys kept as text: the index grows by a row each, the dictionary does not.
      result_.data.event_ids.Reserve(result_.data.event_ids.size() + expected_rows);
    } else {
      gd.strings.Reserve(gd.strings.size() + expected_rows + pc.dict.strings.size());
    }
  }
  // Local ids to global ones; the workers already hashed each string.
  std::vector<SymbolId> sym(pc.dict.strings.size());
  for (SymbolId i = 0; i < sym.size(); ++i) {
    sym[i] = gd.strings.Intern(pc.dict.strings.Name(i), pc.dict.strings.Hash(i));
  }
  std::vector<std::uint32_t> sets(pc.dict.sets.size());
  for (std::uint32_t i = 0; i < sets.size(); ++i) {
    std::vector<SymbolId> members = pc.dict.sets.Members(i);
    for (SymbolId& m : members) m = sym[m];
    sets[i] = gd.sets.Intern(std::move(members));
  }

  // The chunk's texts join the global store whole; its text ids shift by text_base.
  const std::uint64_t text_base = gd.texts.Append(std::move(pc.dict.texts));

  const auto k = static_cast<std::size_t>(kind);
  const std::optional<std::size_t> time_slot = TimeSlot(kind);
  // A local value as the global tables hold it.
  auto remap = [&](const Column& c, std::int64_t v) -> std::int64_t {
    if (c.type == FieldType::kText || c.as_text) return v + static_cast<std::int64_t>(text_base);
    if (c.type == FieldType::kString) return sym[static_cast<std::size_t>(v)];
    if (c.type == FieldType::kStringSet) return sets[static_cast<std::size_t>(v)];
    return v;
  };
  std::vector<QuarantineEntry> dups;

  // Row by row, only what decides whether a row is kept: its key (duplicates) and its
  // time (order and range). The kept rows then join the tables column by column.
  const std::size_t base_rows = global.rows();
  std::vector<std::uint32_t> kept;  // local rows, in order
  kept.reserve(local.rows());
  // The global row `row`'s reference, also for rows of this chunk not yet appended.
  auto ref_of = [&](std::uint32_t row) {
    if (row < base_rows) return global.ref(row);
    SourceRef ref = local.ref(kept[row - base_rows]);
    ref.line += base_line;
    return ref;
  };
  // Event ids: found and hashed first, so each lookup can prefetch the slot of one a few
  // rows on.
  constexpr std::size_t kAhead = 8;
  std::vector<std::string_view> key_ids;
  std::vector<std::uint64_t> key_hashes;
  if (key_as_text) {
    const Column& c = local.column(keys[0]);
    key_ids.resize(local.rows());
    key_hashes.resize(local.rows());
    for (std::size_t r = 0; r < local.rows(); ++r) {
      key_ids[r] = gd.texts.Get(static_cast<std::uint64_t>(remap(c, c.ints[r])));
      key_hashes[r] = KeyIndex::Hash(key_ids[r]);
    }
    for (std::size_t r = 0; r < std::min(kAhead, local.rows()); ++r) result_.data.event_ids.Prefetch(key_hashes[r]);
  }
  // The event id of global row `row`, also for rows of this chunk not yet appended.
  auto event_id_of = [&](std::uint32_t row) -> std::string_view {
    return row < base_rows ? result_.data.EventId(row) : key_ids[kept[row - base_rows]];
  };
  for (std::size_t r = 0; r < local.rows(); ++r) {
    const auto next_row = static_cast<std::uint32_t>(base_rows + kept.size());
    bool duplicate = false;
    std::string first_seen;
    std::string_view key_text;  // a single key's value, for the duplicate's message
    auto first_at = [&](std::uint32_t row) {
      const SourceRef ref = ref_of(row);
      return "first at " + DisplayPath(config_, result_.data.files[ref.file].path) + ":" +
             std::to_string(ref.line);
    };
    if (key_as_text) {
      const std::string_view id = key_ids[r];
      if (r + kAhead < local.rows()) result_.data.event_ids.Prefetch(key_hashes[r + kAhead]);
      const std::uint32_t first = result_.data.event_ids.FindOrInsert(id, key_hashes[r], next_row, event_id_of);
      if (first != KeyIndex::kNone) {
        duplicate = true;
        key_text = id;
        first_seen = first_at(first);
      }
    } else if (keys.size() == 1) {
      const Column& c = local.column(keys[0]);
      const auto id = static_cast<std::size_t>(remap(c, c.Value(r)));
      auto& first = first_row_by_symbol_[k];
      if (first.size() <= id) first.resize(std::max<std::size_t>(id + 1, first.size() * 2), 0xFFFFFFFFu);
      if (first[id] != 0xFFFFFFFFu) {
        duplicate = true;
        first_seen = first_at(first[id]);
        key_text = gd.strings.Name(static_cast<SymbolId>(id));
      } else {
        first[id] = next_row;
      }
    } else {
      std::array<std::int64_t, CompositeKeys::kMaxValues> key{};
      for (std::size_t i = 0; i < keys.size(); ++i) {
        const Column& c = local.column(keys[i]);
        key[i] = c.type == FieldType::kNumber
                     ? static_cast<std::int64_t>(std::bit_cast<std::uint64_t>(c.nums[r]))
                     : c.present[r] != 0 ? remap(c, c.Value(r)) : 0;
      }
      CompositeKeys& seen = seen_keys_[k];
      const std::size_t n = keys.size();
      auto bytes_of = [&](const std::int64_t* tuple) {
        return std::string_view(reinterpret_cast<const char*>(tuple), n * sizeof(std::int64_t));  // NOLINT
      };
      const auto tuple = static_cast<std::uint32_t>(seen.values.size() / n);
      duplicate = seen.index.FindOrInsert(bytes_of(key.data()), tuple, [&](std::uint32_t t) {
        return bytes_of(&seen.values[t * n]);
      }) != KeyIndex::kNone;
      if (!duplicate) seen.values.insert(seen.values.end(), key.begin(), key.begin() + static_cast<std::ptrdiff_t>(n));
    }
    if (duplicate) {
      SourceRef ref = local.ref(r);
      const LineSpan* span = ref.line - 1 < chunk.lines.size() ? &chunk.lines[ref.line - 1] : nullptr;
      ref.line += base_line;
      std::string detail = "the same " + std::string(RecordKindName(kind)) + " (";
      for (std::size_t i = 0; i < keys.size(); ++i) {
        detail += (i > 0 ? ", " : "") + local.schema().field(keys[i]).name;
      }
      detail += ") was already read";
      if (keys.size() == 1) {
        detail = std::string(local.schema().field(keys[0]).name) + " '" +
                 SafeExcerpt(key_text, 80) +
                 "' was already read (" + first_seen + ")";
      }
      dups.push_back(QuarantineEntry{
          ref, QuarantineReason::kDuplicate, std::move(detail),
          span ? SafeExcerpt(std::string_view(chunk.data.data() + span->begin, span->length), kExcerptBytes)
               : std::string()});
      continue;
    }
    kept.push_back(static_cast<std::uint32_t>(r));
    ++file.stats.records;
    if (time_slot && local.column(*time_slot).present[r] != 0) {
      const TimestampUs ts = local.column(*time_slot).ints[r];
      auto& last = last_ts_[chunk.file];
      if (last && ts < *last) ++file.stats.out_of_order;
      last = ts;
      if (!file.stats.min_ts || ts < *file.stats.min_ts) file.stats.min_ts = ts;
      if (!file.stats.max_ts || ts > *file.stats.max_ts) file.stats.max_ts = ts;
    }
  }
  global.AppendRows(local, kept, base_line, remap);
  // Quarantine in line order: parse failures and duplicates interleave.
  std::vector<QuarantineEntry> all = std::move(pc.quarantine);
  if (!dups.empty()) {
    all.insert(all.end(), std::make_move_iterator(dups.begin()), std::make_move_iterator(dups.end()));
    std::stable_sort(all.begin(), all.end(), [](const QuarantineEntry& a, const QuarantineEntry& b) {
      return a.ref.line < b.ref.line;
    });
  }
  for (const QuarantineEntry& e : all) TOSGUARD_RETURN_IF_ERROR(Quarantine(e, file));
  ReturnChunk(std::move(pc.chunk));
  return Status::Ok();
}

}  // namespace

RecordTable& Dataset::table(RecordKind kind) {
  switch (kind) {
    case RecordKind::kEvent: return events;
    case RecordKind::kAccount: return accounts;
    case RecordKind::kAcceptance: return acceptances;
    case RecordKind::kSignal: return signals;
  }
  return events;
}

const RecordTable& Dataset::table(RecordKind kind) const {
  return const_cast<Dataset*>(this)->table(kind);  // NOLINT
}

Result<IngestResult> Ingest(const IngestConfig& config, const IngestOptions& options) {
  Ingester ingester(config, options);
  return ingester.Run();
}

bool LinesParseAlone(const SourceConfig& source) { return source.format == InputFormat::kJsonl; }

Result<ReparsedLines> ReparseLines(const IngestConfig& config, std::uint32_t source,
                                   const std::string& path, const std::vector<std::string_view>& lines,
                                   const std::vector<SourceRef>& refs, const std::vector<bool>& needed) {
  if (source >= config.sources.size()) return Status::Internal("no source " + std::to_string(source));
  if (lines.size() != refs.size()) return Status::Internal("one reference per line is needed");
  if (lines.empty()) return Status::Internal("no line to parse again");
  const SourceConfig& sc = config.sources[source];
  if (!LinesParseAlone(sc)) {
    return Status::Internal("source '" + sc.name + "': its lines do not parse on their own");
  }
  const RecordSchema& schema =
      sc.kind == RecordKind::kAccount ? config.account_schema : CanonicalSchema(sc.kind);
  auto compiled = CompiledSource::Compile(sc, schema, needed, /*check_unneeded=*/false);
  if (!compiled.ok()) return compiled.status();
  auto chunk = std::make_unique<Chunk>();
  chunk->source = source;
  chunk->max_line_bytes = config.max_line_bytes;
  for (const std::string_view line : lines) {
    chunk->data.append(line.data(), line.size());
    chunk->data.append("\n", 1);
  }
  chunk->size = chunk->data.size();
  chunk->data.append_zeros(kChunkPadding);
  ChunkParser parser(*compiled);
  ParsedChunk parsed = parser.Parse(std::move(chunk));
  if (!parsed.quarantine.empty() || parsed.table->rows() != lines.size()) {
    // Quarantine lines count from 1 within the chunk, one chunk line per cited line.
    const std::size_t k = parsed.quarantine.empty() ? 0 : parsed.quarantine.front().ref.line - 1;
    const std::string why = parsed.quarantine.empty()
                                ? std::string("no record")
                                : std::string(QuarantineReasonName(parsed.quarantine.front().reason)) +
                                      (parsed.quarantine.front().detail.empty()
                                           ? ""
                                           : ": " + parsed.quarantine.front().detail);
    const SourceRef& ref = refs[std::min(k, refs.size() - 1)];
    return Status::Corruption("'" + path + "' line " + std::to_string(ref.line) + " (offset " +
                              std::to_string(ref.offset) +
                              "): the cited line no longer parses as when it was read (" + why + ")");
  }
  return ReparsedLines{std::move(parsed.table), std::move(parsed.dict)};
}

}  // namespace tosguard::engine
