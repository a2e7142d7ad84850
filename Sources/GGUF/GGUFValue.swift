/// A metadata value from a GGUF file.
///
/// Cases mirror `GGUFValueType` in gguf-py (gguf/constants.py); arrays are homogeneous in the
/// file, and may nest.
public indirect enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case uint64(UInt64)
    case int64(Int64)
    case float32(Float)
    case float64(Double)
    case bool(Bool)
    case string(String)
    case array([GGUFValue])
}

// MARK: - Typed access

extension GGUFValue {
    /// Any integer kind whose value fits in `Int`; nil for other kinds.
    public var int: Int? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): Int(exactly: v)
        case .int64(let v): Int(exactly: v)
        default: nil
        }
    }

    /// Floats and integers, as `Double`; nil for other kinds.
    public var float: Double? {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        case .uint64(let v): Double(v)
        case .int64(let v): Double(v)
        default: int.map(Double.init)
        }
    }

    public var string: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    public var array: [GGUFValue]? {
        if case .array(let v) = self { return v }
        return nil
    }

    /// An array whose elements are all strings.
    public var stringArray: [String]? {
        guard let array else { return nil }
        var out: [String] = []
        out.reserveCapacity(array.count)
        for element in array {
            guard let s = element.string else { return nil }
            out.append(s)
        }
        return out
    }

    /// An array whose elements are all integers that fit in `Int`.
    public var intArray: [Int]? {
        guard let array else { return nil }
        var out: [Int] = []
        out.reserveCapacity(array.count)
        for element in array {
            guard let i = element.int else { return nil }
            out.append(i)
        }
        return out
    }

    /// An array whose elements are all numbers, narrowed to `Float`.
    public var floatArray: [Float]? {
        guard let array else { return nil }
        var out: [Float] = []
        out.reserveCapacity(array.count)
        for element in array {
            guard let f = element.float else { return nil }
            out.append(Float(f))
        }
        return out
    }
}

// MARK: - Wire types

/// Value type ids on disk (gguf-py gguf/constants.py `GGUFValueType`).
enum GGUFValueType: UInt32 {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6
    case bool = 7, string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// The fewest bytes one value of this type takes on disk; bounds array counts before
    /// anything is allocated.
    var minimumSize: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64: 8
        case .string: 8  // u64 length
        case .array: 12  // u32 element type + u64 count
        }
    }

    var name: String { "\(self)" }
}

extension GGUFValue {
    var wireType: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .uint64: .uint64
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .bool: .bool
        case .string: .string
        case .array: .array
        }
    }
}
