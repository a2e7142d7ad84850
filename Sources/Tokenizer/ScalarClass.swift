/// The character classes the pre-tokenizer regexes test (`\p{L}`, `\p{N}`, `\p{P}`, `\p{M}`,
/// `\p{S}`, `\s`), as llama.cpp's tables define them.
///
/// llama.cpp src/unicode-data.cpp is generated from UnicodeData.txt of Unicode 15.1; Swift's
/// stdlib knows newer characters. Treating scalars assigned after 15.1 as unassigned makes the
/// categories agree for every code point (checked exhaustively against unicode-data.cpp when this
/// was written, and again for all six classes when `.mark` and `.symbol` were added). Whitespace
/// is llama.cpp's `unicode_set_whitespace`: the White_Space property.
struct ScalarClass: OptionSet, Sendable {
    let rawValue: UInt8

    static let letter = ScalarClass(rawValue: 1 << 0)
    static let number = ScalarClass(rawValue: 1 << 1)
    static let punctuation = ScalarClass(rawValue: 1 << 2)
    static let whitespace = ScalarClass(rawValue: 1 << 3)
    /// `\p{M}` (llama.cpp's ACCENT_MARK).
    static let mark = ScalarClass(rawValue: 1 << 4)
    static let symbol = ScalarClass(rawValue: 1 << 5)

    /// Newest Unicode version llama.cpp's tables cover.
    private static let tableVersion = (major: 15, minor: 1)

    private static let ascii: [ScalarClass] = (0..<128).map { value in
        // ASCII never depends on the Unicode version, so the general path is exact here.
        classifySlow(Unicode.Scalar(UInt8(value)))
    }

    @inline(__always)
    init(_ scalar: Unicode.Scalar) {
        if scalar.value < 128 {
            self = ScalarClass.ascii[Int(scalar.value)]
        } else {
            self = ScalarClass.classifySlow(scalar)
        }
    }

    init(rawValue: UInt8) { self.rawValue = rawValue }

    private static func classifySlow(_ scalar: Unicode.Scalar) -> ScalarClass {
        var result: ScalarClass = isWhitespace(scalar.value) ? .whitespace : []
        let properties = scalar.properties
        let category: ScalarClass
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            category = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            category = .number
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            category = .punctuation
        case .nonspacingMark, .spacingMark, .enclosingMark:
            category = .mark
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            category = .symbol
        default:
            category = []
        }
        if !category.isEmpty {
            if let age = properties.age, (age.major, age.minor) <= tableVersion {
                result.formUnion(category)
            }
        }
        return result
    }

    /// llama.cpp src/unicode-data.cpp `unicode_set_whitespace`.
    private static func isWhitespace(_ value: UInt32) -> Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}
