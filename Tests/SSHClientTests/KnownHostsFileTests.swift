import Foundation
import SSHClient
import XCTest

/// known_hosts parsed in Swift: markers, unusable lines, OpenSSH's host matching (no I/O).
final class KnownHostsFileTests: XCTestCase {
    private let key = "AAAAC3NzaC1lZDI1NTE5AAAAIOuYO7RnOB/SmnWt3oZ1MnebK9JQKhHH1DeazeRJavnF"
    private var blob: [UInt8] { Array(Data(base64Encoded: key)!) }

    func testMarkersAndUnusableLinesAreSortedOutWithLineNumbers() {
        let text = """
            # comment
            [10.0.0.1]:2222 ssh-ed25519 \(key) plain
            @revoked * ssh-ed25519 \(key)
            @cert-authority *.example.org ssh-ed25519 \(key)
            @bogus 10.0.0.1 ssh-ed25519 \(key)
            garbage

            10.0.0.2 ssh-ed25519 !!notbase64!!
            10.0.0.3 ecdsa-sha2-nistp256 \(key)
            10.0.0.4\tssh-ed25519\t\(key)\r
            """
        let file = KnownHostsFile(text: text, path: "/x/known_hosts")
        XCTAssertEqual(file.plain.map(\.line), [2, 10])
        XCTAssertEqual(file.plain.first?.text, "[10.0.0.1]:2222 ssh-ed25519 \(key) plain")
        XCTAssertEqual(file.plain.last?.hosts, "10.0.0.4")
        XCTAssertEqual(file.revoked.map(\.line), [3])
        XCTAssertEqual(file.revoked.first?.key, blob)
        XCTAssertEqual(file.issues.map(\.line), [4, 5, 6, 8, 9])
        XCTAssertTrue(file.issues.allSatisfy { $0.file == "/x/known_hosts" })
        let rendered = file.issues.map(\.description)
        XCTAssertTrue(rendered[0].hasPrefix("/x/known_hosts:4: @cert-authority"), rendered[0])
        XCTAssertTrue(rendered[1].contains("unknown marker @bogus"), rendered[1])
        XCTAssertTrue(rendered[2].contains("not a known_hosts line"), rendered[2])
        XCTAssertTrue(rendered[3].contains("base64"), rendered[3])
        XCTAssertTrue(rendered[4].contains("ssh-ed25519, not ecdsa-sha2-nistp256"), rendered[4])
        XCTAssertTrue(rendered.allSatisfy { $0.hasSuffix("the line is ignored") })
    }

    func testRevocationAppliesToTheHostsItsPatternsMatch() {
        func revoked(_ hosts: String, _ host: String = "127.0.77.1", port: Int = 2222) -> Bool {
            KnownHostsFile(text: "@revoked \(hosts) ssh-ed25519 \(key)\n", path: "kh")
                .revocation(host: host, port: port, key: blob) != nil
        }
        XCTAssertTrue(revoked("[127.0.77.1]:2222"))
        XCTAssertTrue(revoked("*"))
        XCTAssertTrue(revoked("[127.0.77.*]:2222"))
        XCTAssertTrue(revoked("other,[127.0.77.?]:2222"))
        XCTAssertTrue(revoked("MyHost.Example.ORG", "myhost.example.org", port: 22))
        XCTAssertFalse(revoked("127.0.77.1"), "port 2222 is looked up as [host]:port")
        XCTAssertFalse(revoked("otherhost"))
        XCTAssertFalse(revoked("*,![127.0.77.1]:2222"), "a matching negation wins")
        // ssh-keygen -H's hash of myhost.example.org.
        let hashed = "|1|OiksfGVQIFn5Hw5gr1ZAewW7fmU=|gjJMlpaMTJndjBq0Luelqyw+9T8="
        XCTAssertTrue(revoked(hashed, "myhost.example.org", port: 22))
        XCTAssertFalse(revoked(hashed, "otherhost.example.org", port: 22))
        // Another key is not revoked by the line.
        let file = KnownHostsFile(text: "@revoked * ssh-ed25519 \(key)\n", path: "kh")
        XCTAssertNil(file.revocation(host: "h", port: 22, key: blob.dropLast() + [0]))
    }

    func testWildcards() {
        for (pattern, name, expected) in [("*", "", true), ("a*c", "abbbc", true), ("a*c", "abbb", false),
                                          ("?", "ab", false), ("*.example.org", "mx.example.org", true),
                                          ("*.example.org", "example.org", false), ("a**b", "ab", true)] {
            XCTAssertEqual(KnownHostsPatterns.matches(pattern, host: name, port: 22), expected, "\(pattern) vs \(name)")
        }
    }
}
