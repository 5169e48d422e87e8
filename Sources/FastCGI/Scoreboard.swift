import Glibc

/// Worker status and counters shared by the master and every worker, php-fpm style: one
/// fixed-size slot per worker in shared memory mapped before fork. A slot's counters are
/// cumulative over every worker that has used it, so totals never go backwards. The memory
/// is a POSIX shared-memory object unlinked at once, so its descriptor can survive the
/// master's re-exec on SIGHUP and counters continue across reloads.
public final class Scoreboard {
    /// Upper bounds (seconds) of the request-duration histogram buckets; +Inf is implicit.
    public static let bucketBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public enum WorkerState: UInt64, Sendable {
        case empty = 0, starting = 1, idle = 2, busy = 3, stopping = 4
    }

    // Layout, in UInt64 words. Header: magic, capacity, restarts, recycles, reloads.
    private static let magic: UInt64 = 0x5346_5342_0000_0001   // "SFSB" v1
    private static let headerWords = 8
    private static let slotWords = 32
    private enum Field: Int {
        case pid = 0, state, requests, errors, durationMicros, startedAt
        case buckets = 8   // bucketBounds.count + 1 words
    }

    public let capacity: Int
    /// The shared-memory descriptor, kept open so a re-exec'd master can map it again.
    let fd: Int32
    private let words: UnsafeMutablePointer<UInt64>
    private let byteCount: Int

    /// Creates a scoreboard with `capacity` slots.
    public convenience init(capacity: Int) throws(ServerError) {
        let name = "/storefleet-sb-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system("shm_open", errno) }
        shm_unlink(name)
        let bytes = (Scoreboard.headerWords + capacity * Scoreboard.slotWords) * 8
        guard ftruncate(fd, off_t(bytes)) == 0 else { let e = errno; close(fd); throw .system("ftruncate", e) }
        try self.init(fd: fd, capacity: capacity)
        words[0] = Scoreboard.magic
        words[1] = UInt64(capacity)
    }

    /// Maps a scoreboard inherited across exec.
    public convenience init(adoptingFD fd: Int32) throws(ServerError) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .system("fstat", errno) }
        let capacity = (Int(st.st_size) / 8 - Scoreboard.headerWords) / Scoreboard.slotWords
        guard capacity > 0 else { throw .invalidConfiguration("inherited scoreboard is empty") }
        try self.init(fd: fd, capacity: capacity)
        guard words[0] == Scoreboard.magic, words[1] == UInt64(capacity) else {
            throw .invalidConfiguration("inherited scoreboard has an unknown layout")
        }
    }

    private init(fd: Int32, capacity: Int) throws(ServerError) {
        self.fd = fd
        self.capacity = capacity
        byteCount = (Scoreboard.headerWords + capacity * Scoreboard.slotWords) * 8
        guard let p = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), p != MAP_FAILED else {
            throw .system("mmap", errno)
        }
        words = p.assumingMemoryBound(to: UInt64.self)
    }

    deinit {
        munmap(words, byteCount)
        close(fd)
    }

    private func slotBase(_ slot: Int) -> UnsafeMutablePointer<UInt64> {
        precondition(slot >= 0 && slot < capacity)
        return words + Scoreboard.headerWords + slot * Scoreboard.slotWords
    }

    // MARK: master side

    /// Reserves an empty slot for a worker about to be forked.
    func claimSlot() -> Int? {
        for i in 0..<capacity where slotBase(i)[Field.state.rawValue] == WorkerState.empty.rawValue {
            let s = slotBase(i)
            s[Field.pid.rawValue] = 0
            s[Field.state.rawValue] = WorkerState.starting.rawValue
            return i
        }
        return nil
    }

    func assign(slot: Int, pid: pid_t) {
        let s = slotBase(slot)
        s[Field.pid.rawValue] = UInt64(pid)
        s[Field.startedAt.rawValue] = UInt64(time(nil))
    }

    /// Frees the slot a worker held (its counters stay).
    func release(slot: Int) {
        let s = slotBase(slot)
        s[Field.pid.rawValue] = 0
        s[Field.state.rawValue] = WorkerState.empty.rawValue
    }

    func slot(ofPID pid: pid_t) -> Int? {
        for i in 0..<capacity where slotBase(i)[Field.pid.rawValue] == UInt64(pid) { return i }
        return nil
    }

    func state(ofSlot slot: Int) -> WorkerState {
        WorkerState(rawValue: slotBase(slot)[Field.state.rawValue]) ?? .empty
    }

    func countRestart() { words[2] &+= 1 }
    func countRecycle() { words[3] &+= 1 }
    func countReload() { words[4] &+= 1 }

    // MARK: worker side

    func setState(slot: Int, _ state: WorkerState) {
        slotBase(slot)[Field.state.rawValue] = state.rawValue
    }

    /// Records one finished request.
    func record(slot: Int, seconds: Double, status: Int) {
        let s = slotBase(slot)
        s[Field.requests.rawValue] &+= 1
        if status >= 500 { s[Field.errors.rawValue] &+= 1 }
        s[Field.durationMicros.rawValue] &+= UInt64(max(0, seconds * 1_000_000))
        var bucket = Scoreboard.bucketBounds.count
        for (i, bound) in Scoreboard.bucketBounds.enumerated() where seconds <= bound {
            bucket = i
            break
        }
        s[Field.buckets.rawValue + bucket] &+= 1
    }

    // MARK: readers

    /// A consistent-enough copy of every slot (each word is read atomically; counters may be a
    /// request apart from each other, as in any scrape).
    public func snapshot() -> ScoreboardSnapshot {
        var snap = ScoreboardSnapshot()
        snap.workerRestarts = Int(words[2])
        snap.workerRecycles = Int(words[3])
        snap.reloads = Int(words[4])
        snap.bucketCounts = Array(repeating: 0, count: Scoreboard.bucketBounds.count + 1)
        for i in 0..<capacity {
            let s = slotBase(i)
            snap.requests += Int(s[Field.requests.rawValue])
            snap.errors += Int(s[Field.errors.rawValue])
            snap.durationSeconds += Double(s[Field.durationMicros.rawValue]) / 1_000_000
            for b in 0...Scoreboard.bucketBounds.count {
                snap.bucketCounts[b] += Int(s[Field.buckets.rawValue + b])
            }
            let state = WorkerState(rawValue: s[Field.state.rawValue]) ?? .empty
            if state != .empty {
                snap.workers.append(.init(slot: i, pid: Int32(truncatingIfNeeded: s[Field.pid.rawValue]), state: state,
                                          requests: Int(s[Field.requests.rawValue])))
            }
        }
        return snap
    }
}

/// A copy of the scoreboard at one moment.
public struct ScoreboardSnapshot: Sendable, Equatable {
    public struct Worker: Sendable, Equatable {
        public var slot: Int
        public var pid: Int32
        public var state: Scoreboard.WorkerState
        /// Requests served through this slot (by this and earlier workers).
        public var requests: Int
    }

    public var workers: [Worker] = []
    public var requests = 0
    /// Requests answered with a 5xx status.
    public var errors = 0
    public var durationSeconds: Double = 0
    /// Per-bucket (not cumulative) counts, one per `Scoreboard.bucketBounds` and a last for +Inf.
    public var bucketCounts: [Int] = []
    /// Workers respawned after dying unexpectedly (crash, kill), not recycled or reloaded ones.
    public var workerRestarts = 0
    /// Workers replaced after `--max-requests`.
    public var workerRecycles = 0
    public var reloads = 0

    public var busyWorkers: Int { workers.filter { $0.state == .busy }.count }
    public var idleWorkers: Int { workers.filter { $0.state == .idle }.count }

    public init() {}
}
