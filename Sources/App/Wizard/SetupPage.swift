import HTTP
import Liquid
import Registry

/// `/store/:slug/setup`: the provisioning of a new store, step by step. Works without
/// JavaScript (the page refreshes itself every second while the job runs) and better with it
/// (`wizard.js` polls `/setup/status` and updates the list in place). A failure shows what went
/// wrong in words and a Retry button; an active store sends the merchant to its admin.
struct SetupPage {
    let site: PlatformSite
    let slug: String

    /// The store as the user reaches it (their organization and role, store limits applied),
    /// read in its organization's scope. 403 for a store the user cannot reach, as every page
    /// under `/store/:slug/` answers.
    func progress() throws -> (progress: SetupProgress, orgId: Int64, canRetry: Bool) {
        let user = try site.requireUser()
        let registry = try site.registry()
        guard let access = try Organizations(registry: registry).access(userId: user.userId, storeSlug: slug),
              let progress = try StoreSetup.progress(slug: access.slug, orgId: access.orgId, registry: registry) else {
            throw HTTPError(.forbidden, "You don’t have access to this store.")
        }
        return (progress, access.orgId, access.role == .owner || access.role == .admin)
    }

    var adminPath: String { "/store/\(slug)/admin" }

    func show() throws -> Response {
        let (progress, _, canRetry) = try progress()
        if progress.state == .active { return .redirect(to: adminPath) }
        var assigns: [String: Value] = [
            "store_name": .string(progress.name),
            "store_slug": .string(progress.slug),
            "store_host": .string(progress.slug + "." + site.links.platformDomain),
            "status": .string(progress.state.rawValue),
            "stages": .array(SetupPage.stages(progress).map { stage in
                ["key": .string(stage.key), "label": .string(stage.label), "state": .string(stage.state)]
            }),
            "can_retry": .bool(canRetry),
            "head_script": "/assets/wizard/wizard.js",
            "body_class": "wizard-page setup-page",
        ]
        if let message = SetupPage.failureMessage(progress) { assigns["error_message"] = .string(message) }
        let title = progress.state == .failed ? "Setting up \(progress.name) stopped" : "Setting up \(progress.name)"
        return try site.page("wizard/setup", title: title, assigns: assigns)
    }

    /// `{"status": "provisioning"|"failed"|"active", "steps": [{"key","label","state"}], "error": …, "redirect": …}`
    func statusJSON() throws -> Response {
        let (progress, _, _) = try progress()
        let steps = SetupPage.stages(progress).map { stage in
            "{\"key\":\(jsonString(stage.key)),\"label\":\(jsonString(stage.label)),\"state\":\(jsonString(stage.state))}"
        }
        var json = "{\"status\":\(jsonString(progress.state.rawValue)),\"steps\":[" + steps.joined(separator: ",") + "]"
        json += ",\"error\":" + (SetupPage.failureMessage(progress).map(jsonString) ?? "null")
        json += ",\"redirect\":" + (progress.state == .active ? jsonString(adminPath) : "null") + "}"
        var response = Response.json(json)
        response.headers["Cache-Control"] = "no-store"
        return response
    }

    func retry() throws -> Response {
        _ = try site.verifiedForm()
        let (progress, orgId, canRetry) = try progress()
        guard canRetry else { throw HTTPError(.forbidden, "Only the organization’s owners and admins can retry a store’s set-up.") }
        let user = try site.requireUser()
        if try StoreSetup.retry(slug: progress.slug, orgId: orgId, userId: user.userId, registry: try site.registry()) {
            return site.redirect(to: "/store/\(progress.slug)/setup", flash: .info("Trying again…"))
        }
        return site.redirect(to: "/store/\(progress.slug)/setup")
    }

    // MARK: - Words

    static func label(_ stage: SetupProgress.Stage) -> String {
        switch stage {
        case .provision(let step):
            switch step {
            case .reserve: return "Reserving your address"
            case .place: return "Choosing a database server"
            case .credentials: return "Creating your store’s credentials"
            case .role: return "Creating your store’s database account"
            case .template: return "Preparing the store template"
            case .database: return "Creating your store’s database"
            case .grants: return "Locking the database to your store"
            case .ledger: return "Bringing the database up to date"
            case .settings: return "Saving your store’s settings"
            case .activate: return "Switching your storefront on"
            }
        case .starterContent: return "Adding your theme and starter content"
        }
    }

    static func stages(_ progress: SetupProgress) -> [(key: String, label: String, state: String)] {
        progress.stageStates.map { ($0.stage.key, label($0.stage), $0.state.rawValue) }
    }

    /// What the merchant reads when the set-up failed: the step in words, never the internal reason.
    static func failureMessage(_ progress: SetupProgress) -> String? {
        guard progress.state == .failed else { return nil }
        let step = progress.failedStage.map { label($0).lowercased() } ?? "setting up"
        return "Something went wrong while \(step.prefix(1).lowercased() + step.dropFirst()). Nothing you entered is lost: try again. If it keeps happening, contact support and mention “\(progress.slug)”."
    }
}
