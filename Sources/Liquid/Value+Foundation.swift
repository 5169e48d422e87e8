import Foundation

extension Value {
    /// Converts `JSONSerialization` output (and plain Swift values of the same shapes) to a
    /// `Value`: NSNumber booleans become `.bool`, integral numbers `.int`, others `.double`;
    /// NSNull and anything unknown become `.nil`. Used outside the render path only.
    public init(jsonObject: Any) {
        if jsonObject is NSNull { self = .nil; return }
        if let s = jsonObject as? String { self = .string(s); return }
        if type(of: jsonObject) is NSNumber.Type, let n = jsonObject as? NSNumber {
            let kind = String(cString: n.objCType)
            if kind == "c" || kind == "B" { self = .bool(n.boolValue); return }
            if kind == "d" || kind == "f" {
                let d = n.doubleValue
                self = d == d.rounded() && abs(d) < 9e15 && kind == "d" && n.stringValue.contains(".") == false ? .int(Int(d)) : .double(d)
                return
            }
            self = .int(n.intValue)
            return
        }
        switch jsonObject {
        case let b as Bool: self = .bool(b)
        case let i as Int: self = .int(i)
        case let i as Int64: self = .int(Int(i))
        case let i as Int32: self = .int(Int(i))
        case let d as Double: self = .double(d)
        case let f as Float: self = .double(Double(f))
        case let v as Value: self = v
        case let a as [Any]: self = .array(a.map(Value.init(jsonObject:)))
        case let d as [String: Any]:
            var out: [String: Value] = [:]
            out.reserveCapacity(d.count)
            for (k, v) in d { out[k] = Value(jsonObject: v) }
            self = .dictionary(out)
        case let d as NSDictionary:
            var out: [String: Value] = [:]
            for (k, v) in d { out["\(k)"] = Value(jsonObject: v) }
            self = .dictionary(out)
        case let a as NSArray: self = .array(a.map(Value.init(jsonObject:)))
        default: self = .nil
        }
    }
}
