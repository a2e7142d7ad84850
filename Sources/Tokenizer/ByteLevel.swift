/// GPT-2's reversible byte <-> unicode alphabet: printable Latin-1 bytes stand for themselves, the
/// other 68 bytes map to U+0100, U+0101, ... in byte order.
///
/// Source: openai/gpt-2 src/encoder.py `bytes_to_unicode`; llama.cpp src/unicode.cpp
/// `unicode_byte_to_utf8_map`.
enum ByteLevel {
    /// Scalar value standing for each byte. (256)
    static let byteToScalar: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// Inverse of `byteToScalar`, indexed by scalar value; -1 where a scalar is not in the alphabet. (324)
    static let scalarToByte: [Int16] = {
        var table = [Int16](repeating: -1, count: 256 + 68)
        for (byte, scalar) in byteToScalar.enumerated() {
            table[Int(scalar)] = Int16(byte)
        }
        return table
    }()

    /// The byte a scalar of the alphabet stands for, or nil for scalars outside it.
    @inline(__always)
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = Int(scalar.value)
        guard value < scalarToByte.count else { return nil }
        let byte = scalarToByte[value]
        return byte < 0 ? nil : UInt8(byte)
    }

    /// Encodes raw bytes into the alphabet, the form in which byte-level BPE vocabularies store tokens.
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var result = String.UnicodeScalarView()
        for byte in bytes {
            if let scalar = Unicode.Scalar(byteToScalar[Int(byte)]) {
                result.append(scalar)
            }
        }
        return String(result)
    }
}
