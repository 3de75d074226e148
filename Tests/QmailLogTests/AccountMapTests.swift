import Foundation
import QmailLog
import XCTest

/// Parsing and resolution of the host's account files.
final class AccountMapTests: XCTestCase {
    func testCorpusHost() throws {
        try Corpus.skipIfMissing()
        let map = try Corpus.accounts(host: Corpus.url("host"))
        XCTAssertEqual(map.issues, [])
        XCTAssertEqual(map.accounts, ["web1", "web2", "web3", "web4"])
        XCTAssertEqual(map.account(forDomain: "Bobs-Shop.COM"), "web2")
        XCTAssertEqual(map.account(forLocalRecipient: "web2-info@bobs-shop.de"), "web2")
        XCTAssertEqual(map.account(forAddress: "carol@carol-design.de"), "web3")
        XCTAssertEqual(map.account(forAddress: "someone@gmail.com"), nil)
        XCTAssertEqual(map.account(forUID: 1006), "web4")
        XCTAssertEqual(map.account(forUID: 995), nil, "qmaild is no account")
        XCTAssertEqual(map.account(forUID: 999), nil, "alias is no account")
        XCTAssertEqual(map.userName(forUID: 990), "qmails")
        XCTAssertTrue(map.isLocalDomain("localhost"))
    }

    func testDomainsOfAnAccountInFileOrderWithoutWildcardsOrAddresses() {
        let map = AccountMap(
            virtualdomains: .init(name: "vd", contents: "b.de:web1\n.shops.example:web1\nx@c.de:web1\na.de:web1\nb.de:web2\nz.de:web2\n"),
            locals: nil,
            assign: .init(name: "assign", contents: "+web1-:web1:1003:1005:/home/web1:-::\n+web2-:web2:1004:1006:/home/web2:-::\n.\n"),
            passwd: nil)
        XCTAssertEqual(map.domains(ofAccount: "web1"), ["b.de", "a.de"])
        XCTAssertEqual(map.domains(ofAccount: "web2"), ["z.de"], "b.de is web1's: the first entry wins")
        XCTAssertEqual(map.domains(ofAccount: "nobody"), [])
    }

    func testMalformedLinesNameFileAndLine() {
        let map = AccountMap(
            virtualdomains: .init(name: "h:/var/qmail/control/virtualdomains",
                                  contents: "a.de:web1\nbroken line\n.shops.example:web2\nx@c.de:web1\n:web1\nnobody.de:ghost\n"),
            locals: .init(name: "h:locals", contents: "localhost\nnot a domain\n"),
            assign: .init(name: "h:assign", contents: "=web1:web1:1003:1005:/home/web1:::\n+web1-:web1:1003:1005:/home/web1:-::\n+web2-:web2:x:1:/h:-::\nbad\n+web2-:web2:1004:1006:/home/web2:-::\n"),
            passwd: .init(name: "h:passwd", contents: "web1:x:1003:1005::/home/web1:/bin/sh\nshort:x\n"))
        XCTAssertEqual(map.issues.map(\.description), [
            "h:assign:3: error: assign line needs local:user:uid:gid:home:dash:ext with a numeric uid",
            "h:assign:4: error: assign line must start with '=' or '+'",
            "h:assign:0: warning: assign has no terminating '.' line (qmail-newu would reject it)",
            "h:passwd:2: error: passwd line needs 7 ':'-separated fields with a numeric uid",
            "h:locals:2: error: locals line is not a single domain",
            "h:/var/qmail/control/virtualdomains:2: error: virtualdomains line has no ':' (expected domain:prefix)",
            "h:/var/qmail/control/virtualdomains:5: error: virtualdomains line has an empty domain",
            "h:/var/qmail/control/virtualdomains:6: warning: prefix ghost of nobody.de names no user in assign or passwd",
        ])
        XCTAssertEqual(map.account(forDomain: "a.de"), "web1")
        XCTAssertEqual(map.account(forDomain: "de.shops.example"), "web2", ".suffix wildcard")
        XCTAssertEqual(map.account(forAddress: "x@c.de"), "web1", "user@domain entry")
        XCTAssertEqual(map.account(forAddress: "y@c.de"), nil)
        XCTAssertEqual(map.account(forLocalRecipient: "web1@a.de"), "web1", "= entry")
        XCTAssertEqual(map.account(forUID: 1004), "web2")
    }
}
