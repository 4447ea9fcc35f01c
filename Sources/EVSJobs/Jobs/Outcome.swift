/// How a timed job ends.
public enum Outcome: Sendable, Equatable {
    case success
    /// Boxed: most jobs succeed, and a million stored jobs should not each carry two Strings.
    indirect case fail(errorCode: String, failReason: String)

    /// What a FAIL reports when its fixture or admin request names no error of its own.
    public static let defaultErrorCode = "EVS.2024"
    public static let defaultFailReason = "volume is error!"
    public static let defaultFailure = Outcome.failure(errorCode: nil, failReason: nil)

    /// A FAIL, with the defaults for what is not given.
    public static func failure(errorCode: String?, failReason: String?) -> Outcome {
        .fail(errorCode: errorCode ?? defaultErrorCode, failReason: failReason ?? defaultFailReason)
    }
}
