// swift-tools-version:6.0
import PackageDescription

// An example client of the EVS job API, tested against evs-jobs-mock (the package two levels up)
// the way a project of your own would use it. Linux only, as evs-jobs-mock is. SwiftPM names a
// path dependency after its folder, so `name:` keeps "evs-jobs-mock" whatever the clone is called.
let package = Package(
    name: "PollingClient",
    products: [
        .library(name: "PollingClient", targets: ["PollingClient"]),
    ],
    dependencies: [
        .package(name: "evs-jobs-mock", path: "../.."),
    ],
    targets: [
        .target(name: "PollingClient", swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(
            name: "PollingClientTests",
            dependencies: [
                "PollingClient",
                .product(name: "EVSJobsMockTesting", package: "evs-jobs-mock"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
