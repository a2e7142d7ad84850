import Foundation

/// One tokenizer.json normalizer step.
enum NormalizerStep {
    case prepend(String)
    case replace(String, String)
    case nfc, nfd, nfkc, nfkd
    case lowercase
    case strip(left: Bool, right: Bool)
}

extension NormalizerStep {
    /// Applies the step as Hugging Face tokenizers' normalizer of the same name does.
    func apply(to text: String) -> String {
        switch self {
        case .prepend(let prefix):
            return text.isEmpty ? text : prefix + text  // `Prepend` leaves empty text alone
        case .replace(let pattern, let content):
            return pattern.isEmpty ? text : text.replacingBytes(pattern, with: content)
        case .nfc: return text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        // Foundation's NFKC leaves "ｶﾞ" as カ + U+3099; composing again gives ガ, as NFKC should.
        case .nfkc: return text.precomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        case .lowercase: return text.lowercased()
        case .strip(let left, let right):
            var scalars = Substring(text).unicodeScalars[...]
            if left { scalars = scalars.drop(while: { $0.properties.isWhitespace }) }
            if right {
                while let last = scalars.last, last.properties.isWhitespace { scalars = scalars.dropLast() }
            }
            return String(String.UnicodeScalarView(scalars))
        }
    }
}
