// swift-tools-version:6.0
import PackageDescription

// Linux only: the server is built on epoll, accept4(2) and Glibc, so no other system is declared
// and a build elsewhere stops here, with this line, before anything compiles.
#if !os(Linux)
#error("evs-jobs-mock builds and runs on Linux only (epoll, accept4, Glibc); on macOS use the container image (docker/Dockerfile)")
#endif

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "evs-jobs-mock",
    products: [
        .executable(name: "evs-jobs-mock", targets: ["evs-jobs-mock"]),
        .library(name: "EVSJobsMock", targets: ["EVSJobsMock"]),
        .library(name: "EVSJobsMockTesting", targets: ["EVSJobsMockTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        // Layer 1: file descriptors, non-blocking I/O, Dispatch sources. Knows nothing of HTTP.
        .target(name: "Sockets", dependencies: ["CSystemShims"], swiftSettings: strict),
        .target(name: "CSystemShims", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
        // Layer 2: HTTP/1.1 decoding and encoding on byte arrays. No system calls.
        .target(name: "HTTP1", dependencies: ["Bytes", "CZlib"], swiftSettings: strict),
        // Writing bounded byte runs through a pointer, for HTTP heads, JSON times and log lines.
        .target(name: "Bytes", swiftSettings: strict),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // Layer 3: jobs, scenarios, the store, fixtures. No sockets, no bytes on the wire.
        .target(
            name: "EVSJobs",
            dependencies: ["Bytes", .product(name: "Logging", package: "swift-log")],
            resources: [.embedInCode("DefaultFixtures")],
            swiftSettings: strict
        ),
        // The wiring: the HTTP server over sockets, the API routes, the server lifecycle.
        .target(
            name: "EVSJobsMock",
            dependencies: ["Sockets", "HTTP1", "EVSJobs", "Bytes", "CSystemShims", "COpenSSL", .product(name: "Logging", package: "swift-log")],
            resources: [.embedInCode("Resources/openapi.json")],
            swiftSettings: strict
        ),
        // The mock inside Swift tests.
        .target(
            name: "EVSJobsMockTesting",
            dependencies: ["EVSJobsMock", "EVSJobs", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // Layer 4: the command line.
        .executableTarget(
            name: "evs-jobs-mock",
            dependencies: [
                "EVSJobsMock",
                "EVSJobs",
                "Bytes",
                "Sockets",
                "CSystemShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "EVSJobsMockTestingTests", dependencies: ["EVSJobsMockTesting"], swiftSettings: strict),
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"], swiftSettings: strict),
        .testTarget(name: "EVSJobsTests", dependencies: ["EVSJobs", .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .testTarget(name: "CommandLineTests", dependencies: ["evs-jobs-mock", .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .testTarget(name: "EVSJobsMockTests", dependencies: ["EVSJobsMock", "EVSJobsMockTesting", "EVSJobs", "HTTP1", "Bytes", "COpenSSL"], swiftSettings: strict),
    ]
)
