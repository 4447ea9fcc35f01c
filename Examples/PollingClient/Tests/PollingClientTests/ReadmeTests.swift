import Foundation
import Testing

/// The root README's "In Swift tests" example is ReadmeExample.swift word for word, so the
/// README shows only code that builds and passes here.
@Test func theReadmeShowsReadmeExampleWordForWord() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    let example = try String(contentsOf: folder.appendingPathComponent("ReadmeExample.swift"), encoding: .utf8)
    let readme = try String(contentsOf: folder.appendingPathComponent("../../../../README.md").standardizedFileURL, encoding: .utf8)
    let shown = readme.contains("```swift\n\(example)```\n")
    #expect(shown, "README.md's \"In Swift tests\" block differs from Examples/PollingClient/Tests/PollingClientTests/ReadmeExample.swift")
}
