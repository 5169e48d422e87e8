import Foundation

/// Fixtures/echo-server.py on a free port (standard-library Python, no venv needed).
final class EchoServer {
    let server: LocalServer
    let baseURL: String

    init(tlsCertificate: String? = nil, tlsKey: String? = nil) throws {
        server = try LocalServer("/usr/bin/python3") { port in
            var arguments = [Checkout.fixtures + "/echo-server.py", "--port", String(port)]
            if let tlsCertificate, let tlsKey { arguments += ["--tls-cert", tlsCertificate, "--tls-key", tlsKey] }
            return arguments
        }
        baseURL = (tlsCertificate == nil ? "http" : "https") + "://127.0.0.1:\(server.port)"
    }
}

/// What /echo answers: the request as the server saw it.
struct Echo: Decodable {
    let method: String
    let path: String
    let headers: [[String]]
    let body: String
    let client_port: Int

    func header(_ name: String) -> String? {
        headers.first { $0[0].lowercased() == name.lowercased() }?[1]
    }

    init(_ bytes: [UInt8]) throws {
        self = try JSONDecoder().decode(Echo.self, from: Data(bytes))
    }
}
