import Foundation

/// Writes the host configuration matching a generated log, at the paths qmail uses, so the
/// analyser can attribute deliveries: control files, users/assign, /etc/passwd, .qmail files.
struct HostSnapshot {
    let host: HostModel

    func write(root: URL) throws {
        let control = root.appendingPathComponent("var/qmail/control")
        let users = root.appendingPathComponent("var/qmail/users")
        let etc = root.appendingPathComponent("etc")
        for folder in [control, users, etc] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        let allDomains = host.accounts.flatMap(\.domains)
        try save(control, "me", [host.hostname])
        try save(control, "locals", [host.hostname, "localhost"])
        try save(control, "rcpthosts", [host.hostname, "localhost"] + allDomains)
        try save(control, "defaultdomain", [host.hostingDomain])
        try save(control, "plusdomain", [host.hostingDomain])
        try save(control, "doublebounceto", ["postmaster"])
        try save(control, "doublebouncehost", ["ops.\(host.hostingDomain)"])
        try save(control, "virtualdomains", host.accounts.flatMap { account in
            account.domains.map { "\($0):\(account.user)" }
        })
        var assign: [String] = []
        var passwd = [
            "root:x:0:0:root:/root:/bin/bash",
            "alias:x:999:1003::/var/qmail/alias:/usr/sbin/nologin",
            "qmaild:x:995:1003::/var/qmail:/usr/sbin/nologin",
            "qmaill:x:994:1003::/var/qmail:/usr/sbin/nologin",
            "qmailp:x:993:1003::/var/qmail:/usr/sbin/nologin",
            "qmailq:x:992:1004::/var/qmail:/usr/sbin/nologin",
            "qmailr:x:991:1004::/var/qmail:/usr/sbin/nologin",
            "qmails:x:990:1004::/var/qmail:/usr/sbin/nologin",
        ]
        for account in host.accounts {
            let home = "/home/\(account.user)"
            assign.append("=\(account.user):\(account.user):\(account.uid):\(account.uid):\(home):::")
            assign.append("+\(account.user)-:\(account.user):\(account.uid):\(account.uid):\(home):-::")
            passwd.append("\(account.user):x:\(account.uid):\(account.uid)::\(home):/bin/sh")
            try writeDotQmail(account, root: root)
        }
        assign.append(".")
        try save(users, "assign", assign)
        try save(etc, "passwd", passwd)
    }

    private func writeDotQmail(_ account: HostModel.Account, root: URL) throws {
        let home = root.appendingPathComponent("home/\(account.user)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let box = account.maildrop ? "|/usr/bin/maildrop" : "./Maildir/"
        func plain(_ id: Int32) -> String { String(decoding: host.text(id), as: UTF8.self) }
        func sender(_ delivered: Int32) -> String {
            // webN-local@dom -> local@dom, the address people write.
            let text = plain(delivered)
            return text.split(separator: "-", maxSplits: 1).last.map(String.init) ?? text
        }
        if account.domainTarget >= 0 {
            try save(home, ".qmail-default", ["&\(plain(account.domainTarget))"])
        } else if account.hasDefault {
            try save(home, ".qmail-default", [box])
        }
        for mailbox in account.mailboxes {
            let local = sender(mailbox).split(separator: "@")[0]
            try save(home, ".qmail-\(local)", [box])
        }
        if account.info >= 0 { try save(home, ".qmail-info", [box, "&\(plain(account.infoTarget))"]) }
        if account.shop >= 0 { try save(home, ".qmail-shop", ["&\(plain(account.shopTarget))"]) }
        if account.team >= 0 {
            let targets = account.teamTargets.enumerated().map { index, id in
                index < 2 ? "&\(sender(id))" : "&\(plain(id))"
            }
            try save(home, ".qmail-team", targets)
        }
    }

    private func save(_ folder: URL, _ name: String, _ lines: [String]) throws {
        let text = lines.joined(separator: "\n") + "\n"
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
}
