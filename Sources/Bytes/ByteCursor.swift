#if canImport(Glibc)
import Glibc
#endif

/// Writes bytes through a pointer into room sized beforehand: for a line whose length is bounded
/// before it is written (an access line, a time), built without an array append per piece.
/// The caller guarantees the room; nothing here checks it.
public struct ByteCursor {
    public let base: UnsafeMutablePointer<UInt8>
    public private(set) var count = 0

    public init(_ base: UnsafeMutablePointer<UInt8>) {
        self.base = base
    }

    /// What was written.
    public var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always)
    public mutating func put(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    @inline(__always)
    public mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        memcpy(base + count, source, bytes.count)
        count += bytes.count
    }

    @inline(__always)
    public mutating func put(_ text: StaticString) {
        put(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A string's bytes as they are.
    @inline(__always)
    public mutating func put(utf8 text: String) {
        // In place, without the copy `withUTF8` needs (a String's bytes are contiguous here).
        if text.utf8.withContiguousStorageIfAvailable({ put($0) }) == nil {
            for byte in text.utf8 { put(byte) }
        }
    }

    /// `value`'s last `width` decimal digits, zeros in front: exactly `width` bytes.
    public mutating func putDigits(_ value: Int, width: Int) {
        if value >= 0 { putLast(width, digitsOf: UInt64(value)) } else { putLast(width, digitsOf: value) }
    }

    /// `value`'s last `digits` hexadecimal digits, lowercase, zeros in front.
    public mutating func putHex(_ value: UInt64, digits: Int) {
        var rest = value
        let start = base + count
        var at = start + digits
        while at > start {
            at -= 1
            let digit = UInt8(truncatingIfNeeded: rest & 15)
            at.pointee = digit < 10 ? 48 + digit : 87 + digit
            rest >>= 4
        }
        count &+= digits
    }

    /// A whole number in decimal: at most 20 bytes.
    public mutating func putDecimal(_ value: UInt64) {
        var digits = 1, scale: UInt64 = 10
        while digits < 20, value >= scale {
            digits += 1
            scale = scale &* 10
        }
        putLast(digits, digitsOf: value)
    }

    /// The common case, without a check per operation.
    private mutating func putLast(_ width: Int, digitsOf value: UInt64) {
        var rest = value
        let start = base + count
        var at = start + width
        while at > start {
            at -= 1
            let quotient = rest / 10
            at.pointee = UInt8(truncatingIfNeeded: rest &- quotient &* 10) &+ 48
            rest = quotient
        }
        count &+= width
    }

    private mutating func putLast<Value: BinaryInteger>(_ width: Int, digitsOf value: Value) {
        var rest = value
        var at = count + width
        while at > count {
            at -= 1
            base[at] = UInt8(truncatingIfNeeded: 48 + rest % 10)
            rest /= 10
        }
        count += width
    }
}

extension ByteCursor {
    /// Writes at most `bound` bytes through a cursor, into room on the stack when small, and
    /// appends them to `out` in one copy.
    public static func append(to out: inout [UInt8], bound: Int, _ write: (inout ByteCursor) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, bound)) { room in
            guard let base = room.baseAddress else { return }
            var cursor = ByteCursor(base)
            write(&cursor)
            out.append(contentsOf: cursor.written)
        }
    }
}
