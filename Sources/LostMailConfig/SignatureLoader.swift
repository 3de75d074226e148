import Foundation

/// Reads `signatures:` entries. Each entry has a `name` and exactly one of:
/// `contains` (with `result`), `triple_bounce: true`, or `deferral_spike: {...}` (audits only).
enum SignatureLoader {
    static func load(_ value: YAMLValue, kind: Playbook.Kind) throws -> [Playbook.Signature] {
        let items = try value.sequence()
        if items.isEmpty { throw value.error("needs at least one signature") }
        var names = Set<String>()
        return try items.map { item in
            let signature = try entry(item, kind: kind)
            if !names.insert(signature.name).inserted {
                throw item.error("two signatures are named '\(signature.name)'")
            }
            return signature
        }
    }

    private static func entry(_ item: YAMLValue, kind: Playbook.Kind) throws -> Playbook.Signature {
        let fields = try item.fields(allowed: ["name", "result", "contains", "triple_bounce", "deferral_spike"])
        let name = try fields.required("name").nonEmptyString()
        let kinds = ["contains", "triple_bounce", "deferral_spike"].filter(fields.has)
        guard kinds.count == 1 else {
            throw item.error("a signature needs exactly one of contains, triple_bounce or deferral_spike"
                + (kinds.isEmpty ? "" : " (found \(kinds.joined(separator: ", ")))"))
        }
        if kinds[0] != "contains", let result = fields.optional("result") {
            throw result.error("'result' goes with 'contains' only")
        }
        switch kinds[0] {
        case "contains":
            let resultValue = try fields.required("result")
            let resultText = try resultValue.string()
            guard let result = Playbook.DeliveryResult(rawValue: resultText) else {
                throw resultValue.error("'\(resultText)' is not a delivery result (failure, deferral or success)")
            }
            let textValue = try fields.required("contains")
            let text = try textValue.nonEmptyString()
            try Validate.noControlCharacters(text, textValue)
            if text.contains(" ") {
                throw textValue.error("qmail logs spaces as '_': write '\(text.replacingOccurrences(of: " ", with: "_"))'")
            }
            return .init(name: name, match: .delivery(result: result, contains: text))
        case "triple_bounce":
            let flag = try fields.required("triple_bounce")
            guard try flag.bool() else { throw flag.error("only 'triple_bounce: true' makes sense; remove the entry instead") }
            return .init(name: name, match: .tripleBounce)
        default:
            let spikeValue = try fields.required("deferral_spike")
            guard kind == .audit else {
                throw spikeValue.error("a deferral spike is an audit signature; an incident has a fixed window")
            }
            return .init(name: name, match: .deferralSpike(try spike(spikeValue)))
        }
    }

    private static func spike(_ value: YAMLValue) throws -> Playbook.DeferralSpike {
        let fields = try value.fields(allowed: ["threshold_ratio", "min_deliveries", "window_minutes"])
        let ratio = try Validate.positiveDouble(try fields.required("threshold_ratio"), max: 1_000_000)
        if ratio <= 1 {
            throw try fields.required("threshold_ratio").error("must be above 1 (a ratio to the usual rate)")
        }
        return .init(thresholdRatio: ratio,
                     minDeliveries: try Validate.positiveInt(try fields.required("min_deliveries"), max: 10_000_000),
                     windowMinutes: try Validate.positiveInt(try fields.required("window_minutes"), max: 10_080))
    }
}
