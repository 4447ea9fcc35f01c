/// `GET /__admin/openapi.json`: the document kept at `Sources/EVSJobsMock/Resources/openapi.json`,
/// compiled in.
enum OpenAPIDocument {
    static var bytes: [UInt8] { PackageResources.openapi_json }
}
