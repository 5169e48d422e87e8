import Testing

/// Every suite that talks to the stack's nginx and `storefleet serve` runs inside this one, one
/// test at a time: some of them signal the shared server (SIGHUP, SIGKILL of a worker), which
/// must not land in the middle of another suite's request.
@Suite("Through the local stack", .serialized)
struct ThroughTheStack {}
