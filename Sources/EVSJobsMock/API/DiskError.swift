import EVSJobs
import HTTP1

/// The disk APIs' refusals: status, code and message as the error-code page gives them.
enum DiskError {
    /// 400 unless the page gives the code another status.
    static func evs(_ code: String, _ message: String, status: HTTPStatus = .badRequest) -> APIError {
        .service(status, code, message)
    }

    static let nullVolume = evs("EVS.1001", "null volume!")
    static let invalidBody = evs("EVS.1052", "invalid http body!")
    static let noCreateRequest = evs("EVS.1008", "null createVolumeReq!")
    static let invalidVolumeForCreate = evs("EVS.1009", "invalid volumeForCreate!")
    static let wrongType = evs("EVS.1018", "Type conversion error , parameter type is unexpected")
    static let zoneAndTypeRequired = evs("EVS.2083", "AZ and volume type must not be empty or null!")
    static let invalidZone = evs("EVS.1036", "invalid availability zone!")
    static let invalidVolumeType = evs("EVS.1020", "invalid volume type!")
    static let invalidSize = evs("EVS.1010", "invalid volume size!")
    static let invalidCount = evs("EVS.1021", "the quantity of volume is invalid!")
    static let invalidName = evs("EVS.1003", "invalid volume name!")
    static let invalidDescription = evs("EVS.1004", "invalid volume description!")
    static let oneSourceOnly = evs("EVS.1016", "Invalid input received: May specify only one of imageRef, snapshot_id, backup_id!")
    static let noBatchFromBackup = evs("EVS.1051", "can not batch create volume from backup!")
    static let metadataTooLarge = evs("EVS.1005", "size of metadata is too large!")
    static let invalidShareable = evs("EVS.1054", "invalid shareable parameter!")
    static let tooManyTags = evs("EVS.1061", "The Volume Tags is Exceed Max Limit Num.")
    static let invalidTag = evs("EVS.1062", "invalid tag!")
    static let noExtendRequest = evs("EVS.1011", "null extendVolumeReq!")
    static let notLarger = evs("EVS.1015", "new volume Size must be greater than old Size!")
    static let extendStatus = evs("EVS.1064", "volume status must be available or in-use when extending!")
    static let extendShared = evs("EVS.1065", "multiattach volume status must be available when extending!")
    static let deleteStatus = evs("EVS.1046", "volume status must be available, error, error_extending, error_restoring, error_rollbacking when delete volume!")
    static let retypeStatus = evs("EVS.1031", "invalid resources status!")
    static let retypeSame = evs("EVS.2087", "retype failed. please make sure that type is supported and the new one is higher than origin")
    static let retypeBody = evs("EVS.2108", "Request body is invalid.")
    static let volumeQuota = evs("EVS.1034", "volume count exceeded volume count quota!")
    static let submitFailed = evs("EVS.2001", "submit job failed!", status: .internalServerError)
    static let invalidLimit = evs("EVS.1023", "invalid filter limit!")
    static let invalidMarker = evs("EVS.1024", "invalid filter marker!")
    static let badQuery = evs("EVS.1025", "url encoding failed!")
    static let invalidRequest = evs("EVS.1070", "invalid request.")

    /// A disk the project does not have: 404, in the `itemNotFound` wrapper the disk pages show.
    static func notFound(_ id: String) -> APIError {
        var error = APIError.service(.notFound, "EVS.1002", "Volume \(id) could not be found.")
        error.wrapper = "itemNotFound"
        return error
    }

    static func refusal(_ refusal: DiskRefusal) -> APIError {
        switch refusal {
        case .noSuchVolume(let id): notFound(id)
        case .extendInStatus: extendStatus
        case .extendSharedInUse: extendShared
        case .deleteInStatus(let status): status == "error_deleting" ? evs("EVS.2020", "volume is error_deleting!", status: .internalServerError) : deleteStatus
        case .retypeInStatus: retypeStatus
        case .notLarger: notLarger
        case .tooLarge: invalidSize
        case .sameType: retypeSame
        case .volumeQuota: volumeQuota
        case .jobsFull: submitFailed
        case .badMarker: invalidMarker
        }
    }
}
