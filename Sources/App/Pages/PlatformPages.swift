import HTTP
import Liquid

/// Storefleet's own pages from `templates/platform/`: the landing page and the notice pages
/// (404 "no store here", 503 closed or unavailable, 500) that every host shares.
final class PlatformPages {
    private let environment: Environment
    private let home: Template
    private let notice: Template
    private let options: RenderOptions
    private static let layout = "layout"

    init(templateDirectory: String) throws {
        let folder = TemplateFolder(root: templateDirectory + "/platform") { [$0 + ".liquid"] }
        environment = Environment(autoescape: true, loader: folder)
        home = try folder.require("home", environment: environment)
        notice = try folder.require("notice", environment: environment)
        _ = try folder.require(PlatformPages.layout, environment: environment)
        options = RenderOptions(assetBaseURL: "/assets/platform/")
    }

    /// The landing page of the platform host.
    func homePage(site: SiteLinks) throws -> String {
        try home.render([
            "page_title": "Storefleet — online stores, each on its own database",
            "page_description": "Create an online store in minutes. Every Storefleet store runs on its own PostgreSQL database, with a fast, accessible storefront.",
            "platform_url": .string(site.platformURL),
            "platform_domain": .string(site.platformDomain),
            "show_nav": true,
        ], options: options, defaultLayout: PlatformPages.layout)
    }

    /// A short branded page for a status a visitor may see.
    func noticePage(_ notice: Notice, site: SiteLinks, requestId: String?) throws -> String {
        var data: [String: Value] = [
            "page_title": .string(notice.title),
            "robots": "noindex",
            "status": .int(notice.status.code),
            "heading": .string(notice.heading),
            "message": .string(notice.message),
            "platform_url": .string(site.platformURL),
            "body_class": "notice-page",
        ]
        if let action = notice.action {
            data["action_url"] = .string(action.url)
            data["action_label"] = .string(action.label)
        }
        if let requestId { data["request_id"] = .string(requestId) }
        return try self.notice.render(data, options: options, defaultLayout: PlatformPages.layout)
    }
}

/// What a notice page says. The texts are written for shoppers: no internals, ever.
struct Notice {
    struct Action { let label: String; let url: String }
    let status: Status
    let title: String
    let heading: String
    let message: String
    var action: Action? = nil
    /// Show the request id, so a visitor can quote it to support.
    var showsReference = false

    static func noStore(host: String, platformURL: String) -> Notice {
        Notice(status: .notFound, title: "No store here — Storefleet",
               heading: "There’s no store at this address",
               message: "\(host) isn’t connected to a Storefleet store. Check the address for typos, or open your own store — it takes a few minutes.",
               action: Action(label: "Go to Storefleet", url: platformURL + "/"))
    }

    static func notFound(platformURL: String) -> Notice {
        Notice(status: .notFound, title: "Page not found",
               heading: "We couldn’t find that page",
               message: "The page you asked for doesn’t exist or has moved.",
               action: Action(label: "Go to the home page", url: "/"))
    }

    static func suspended(storeName: String) -> Notice {
        Notice(status: .serviceUnavailable, title: "\(storeName) is closed for now",
               heading: "\(storeName) is closed for now",
               message: "This store isn’t taking visitors at the moment. Please check back later.")
    }

    static func storeUnavailable(storeName: String) -> Notice {
        Notice(status: .serviceUnavailable, title: "\(storeName) is temporarily unavailable",
               heading: "\(storeName) will be back shortly",
               message: "We can’t reach this store right now. Please try again in a minute.")
    }

    static func platformUnavailable() -> Notice {
        Notice(status: .serviceUnavailable, title: "Storefleet is temporarily unavailable",
               heading: "We’ll be back shortly",
               message: "Storefleet can’t answer right now. Please try again in a minute.")
    }

    static func serverError() -> Notice {
        Notice(status: .internalServerError, title: "Something went wrong",
               heading: "Something went wrong on our side",
               message: "The problem has been logged. Please try again in a moment; if it keeps happening, quote the reference below.",
               showsReference: true)
    }

    static func clientError(_ status: Status, message: String) -> Notice {
        Notice(status: status, title: status.reason, heading: status.reason, message: message)
    }
}
