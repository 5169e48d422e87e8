/// When to respawn a worker that died. A worker that crashes soon after starting makes the
/// next respawn wait, doubling up to a ceiling, so a broken build or config does not fork in
/// a tight loop; one that ran for a while (or exited cleanly) is replaced at once.
public struct RespawnBackoff: Sendable, Equatable {
    /// A worker that dies within this many seconds of starting counts as a quick failure.
    public var minimumUptime: Double = 1
    public var initialDelay: Double = 0.1
    public var maximumDelay: Double = 10
    public private(set) var consecutiveQuickFailures = 0

    public init(minimumUptime: Double = 1, initialDelay: Double = 0.1, maximumDelay: Double = 10) {
        self.minimumUptime = minimumUptime
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// Records a worker's exit and returns the seconds to wait before starting its replacement.
    public mutating func delayAfterExit(uptime: Double, crashed: Bool) -> Double {
        guard crashed, uptime < minimumUptime else {
            consecutiveQuickFailures = 0
            return 0
        }
        consecutiveQuickFailures += 1
        var delay = initialDelay
        for _ in 1..<consecutiveQuickFailures where delay < maximumDelay { delay *= 2 }
        return min(delay, maximumDelay)
    }
}
