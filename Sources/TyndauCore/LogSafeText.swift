import Foundation

/// Text from outside (a receiver's answer, a service's error) made safe for one log line or one stored
/// field: control characters are escaped, so a receiver cannot forge log lines with raw newlines or
/// move the terminal with escape sequences.
public enum LogSafeText {
    /// `text` with `\n`, `\r`, `\t` written as such and every other control character (C0, DEL, C1,
    /// and the line/paragraph separators) as `\u{XX}`.
    public static func escapingControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                output.append(scalar)
                continue
            }
            let escaped: String
            switch scalar {
            case "\n": escaped = "\\n"
            case "\r": escaped = "\\r"
            case "\t": escaped = "\\t"
            default: escaped = "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
            output.append(contentsOf: escaped.unicodeScalars)
        }
        return String(output)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}
