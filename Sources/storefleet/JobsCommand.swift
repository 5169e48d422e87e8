import App
import ArgumentParser
import Commerce
import Foundation
import Postgres
import Registry

/// `storefleet jobs`: the job runner.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Run background jobs from the registry's queue, and move stores' outbox rows onto it.",
        discussion: """
            Claims jobs with FOR UPDATE SKIP LOCKED, retries failures with exponential back-off and \
            marks a job dead after its last attempt. Waits with LISTEN storefleet_jobs, never a busy \
            loop. SIGTERM/SIGINT: finish the job in hand, then exit.
            """,
        subcommands: [Dead.self, Retry.self])

    @Flag(help: "Run what is ready, then exit.")
    var once = false

    @Option(help: "Runner processes (each claims jobs independently).")
    var concurrency: Int = 1

    @Option(help: "Seconds before the first retry (doubles each attempt).")
    var backoff: Double = 5

    @Option(help: """
        Seconds between sweeps of every live store's outbox (a safety net: store code hints the \
        runner on storefleet_outbox after writing one). Each sweep opens a connection per store \
        beyond the relay's 16 kept ones, so it is not frequent.
        """)
    var outboxSweepSeconds: Double = 300

    @Option(help: """
        Days a done job is kept (its payload, a sealed mail included, with it); then the runner         deletes it. Dead jobs are kept until retried or removed by hand.
        """)
    var keepDoneDays: Double = 7

    func validate() throws {
        guard keepDoneDays >= 0 else { throw ValidationError("--keep-done-days must be 0 or more.") }
    }

    func run() throws {
        if concurrency > 1 {
            var children: [Process] = []
            for _ in 0..<concurrency {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
                p.arguments = ["jobs", "--concurrency", "1", "--backoff", String(backoff),
                               "--outbox-sweep-seconds", String(outboxSweepSeconds),
                               "--keep-done-days", String(keepDoneDays)] + (once ? ["--once"] : [])
                try p.run()
                children.append(p)
            }
            StopSignal.install()
            for p in children {
                while p.isRunning {
                    if StopSignal.requested() { p.terminate() }
                    usleep(100_000)
                }
            }
            return
        }
        let env = PlatformEnvironment()
        let owner = try env.ownerConnection()
        // A listening connection is a direct one: its claims stay prepared (parse and plan were
        // about 40% of its backend's CPU).
        owner.preparedStatementCapacity = 32
        let keyring = try env.keyring()
        let runner = JobRunner(registry: owner, handlers: JobsCommand.handlers(env: env),
                               backoff: Backoff(baseSeconds: backoff),
                               outbox: OutboxRelay(registry: try env.ownerConnection(), keyring: keyring),
                               outboxSweepSeconds: outboxSweepSeconds, keepDoneSeconds: keepDoneDays * 86_400)
        if once {
            let round = try runner.runOnce { complain($0) }
            say("jobs: \(round.succeeded) done, \(round.retried) to retry, \(round.dead) dead; \(round.relayed) moved from outboxes")
            return
        }
        StopSignal.install()
        try runner.run(pollMilliseconds: 1000, shouldStop: { StopSignal.requested() }) { complain($0) }
    }

    /// Job kinds this build knows. Other modules add theirs here as they arrive.
    static func handlers(env: PlatformEnvironment) -> [String: JobHandler] {
        return [
            FeedsJob.kind: FeedsJob.handler(env: env),
            "platform.health": { _ in
                let probe = HealthProbe(registry: try env.ownerConnection(), keyring: try env.keyring())
                _ = try probe.probeAll()
            },
            StoreSetup.jobKind: { job in
                let options = ProvisioningOptions(migrations: try env.migrations("tenant"), templateName: env.templateName,
                                                  failAt: try env.failProvisionAt())
                try StoreSetupJob(registry: try env.ownerConnection(), keyring: try env.keyring(), options: options,
                                  firstAttemptFailure: try StoreSetupJob.FirstAttemptFailure(setting: env["STOREFLEET_FAIL_FIRST_PROVISION"]),
                                  loadContent: StarterContent.load).run(job)
            },
            CatalogImport.jobKind: { job in
                // A store's CSV import: its own transaction on one connection, progress on another.
                guard let storeId = job.storeId, let importId = try job.payload.decode([String: Int64].self)["import_id"] else {
                    throw ValidationError("catalog.import job \(job.id) has no store or import id")
                }
                let open = { try TenantConnector.open(storeId: storeId, registry: try env.ownerConnection(), keyring: try env.keyring()) }
                try CatalogImport.run(importId: importId, on: try open(), progress: try open())
            },
            ProductImages.resizeJobKind: { job in
                // A product image's resized copies for the themes' img_url sizes (Commerce/Media).
                guard let storeId = job.storeId, let imageId = try job.payload.decode([String: Int64].self)["image_id"],
                      let data = env["STOREFLEET_DATA_DIR"] else {
                    throw ValidationError("media.resize job \(job.id) has no store, image id or STOREFLEET_DATA_DIR")
                }
                let widths = ProductImageResizeJob.widths(themesDirectory: (env["STOREFLEET_TEMPLATE_DIR"] ?? "templates") + "/themes")
                try ProductImageResizeJob(media: ProductMediaStore(dataDirectory: data, storeId: storeId), widths: widths)
                    .run(imageId: imageId, on: try TenantConnector.open(storeId: storeId, registry: try env.ownerConnection(), keyring: try env.keyring()))
            },
            MailJob.kind: MailJob.handler(keyring: { try env.keyring() }, environment: env.values),
            OrderHoldExpiryJob.kind: OrderHoldExpiryJob.handler(registry: { try env.ownerConnection() }, keyring: { try env.keyring() }),
        ]
    }
}

extension JobsCommand {
    /// `storefleet jobs dead`: the dead letters.
    struct Dead: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead jobs with their last error.")

        func run() throws {
            let jobs = try JobQueue.list(try PlatformEnvironment().ownerConnection())
            say(pad("ID", 8) + pad("KIND", 28) + pad("STORE", 8) + pad("TRIES", 7) + "LAST ERROR")
            for j in jobs {
                say(pad(String(j.id), 8) + pad(j.kind, 28) + pad(j.storeId.map(String.init) ?? "-", 8)
                    + pad("\(j.attempts)/\(j.maxAttempts)", 7) + (j.lastError ?? ""))
            }
        }
    }

    /// `storefleet jobs retry ID`.
    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a dead job again with fresh attempts.")
        @Argument(help: "The job's id.") var id: Int64

        func run() throws {
            guard try JobQueue.retry(try PlatformEnvironment().ownerConnection(), id: id) else {
                complain("storefleet jobs retry: job \(id) is not dead")
                throw ExitCode(1)
            }
            say("job \(id) queued again")
        }
    }
}

/// SIGTERM and SIGINT are blocked and looked for between rounds with `sigpending`, so no
/// handler and no global flag are needed; the runner finishes the job in hand, then exits.
enum StopSignal {
    static func install() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        sigprocmask(SIG_BLOCK, &set, nil)
    }

    static func requested() -> Bool {
        var pending = sigset_t()
        sigpending(&pending)
        return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1
    }
}
