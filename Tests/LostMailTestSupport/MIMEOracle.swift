import Foundation

/// A received message as Python's `email` package (policy.default) reads it: the oracle for
/// the MIME structure LostMail writes, run as `python3 -c` on the stored bytes.
public struct MIMEOracle: Decodable, Sendable {
    /// One attachment (`iter_attachments()`).
    public struct Attachment: Decodable, Sendable {
        public let filename: String?
        public let content_type: String
        public let charset: String?
        public let disposition: String?
        /// `get_payload(decode=True)`, base64 in the JSON.
        public let data_b64: String
        /// The decoded bytes of the part.
        public var data: Data { Data(base64Encoded: data_b64) ?? Data() }
    }

    /// `get_content_type()` of the message.
    public let content_type: String
    /// The text shown to the reader (`get_body(("plain",))`), CRLF turned into LF.
    public let body: String?
    public let attachments: [Attachment]
    /// Defects Python found anywhere in the message (names of the defect classes).
    public let defects: [String]

    static let script = """
        import base64, json, sys
        from email import policy
        from email.parser import BytesParser
        msg = BytesParser(policy=policy.default).parsebytes(open(sys.argv[1], "rb").read())
        body = msg.get_body(preferencelist=("plain",))
        defects = [type(d).__name__ for part in msg.walk() for d in part.defects]
        out = {
            "content_type": msg.get_content_type(),
            "body": body.get_content().replace("\\r\\n", "\\n") if body is not None else None,
            "attachments": [{
                "filename": a.get_filename(), "content_type": a.get_content_type(),
                "charset": a.get_content_charset(), "disposition": a.get_content_disposition(),
                "data_b64": base64.b64encode(a.get_payload(decode=True) or b"").decode(),
            } for a in msg.iter_attachments()],
            "defects": defects,
        }
        print(json.dumps(out))
        """

    /// Parses `raw` (a message as it arrived) with Debian's python3.
    public static func parse(_ raw: [UInt8]) throws -> MIMEOracle {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lostmail-mime-\(UUID().uuidString).eml")
        try Data(raw).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try ProcessRunner.shell(["/usr/bin/python3", "-c", script, file.path])
        return try JSONDecoder().decode(MIMEOracle.self, from: Data(output.utf8))
    }
}
