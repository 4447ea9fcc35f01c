import EVSJobs
import EVSJobsMock
import Testing

@Suite struct SettingsTests {
    @Test func defaults() throws {
        let settings = try Settings(flags: Settings.Flags(), environment: [:])
        #expect(settings == Settings())
        #expect(settings.host == "127.0.0.1" && settings.port == 8080 && settings.fixtures.isEmpty && settings.logLevel == .info)
    }

    @Test func environmentFillsWhatFlagsLeaveOut() throws {
        let env = ["EVS_MOCK_HOST": "0.0.0.0", "EVS_MOCK_PORT": "9000", "EVS_MOCK_FIXTURES": "a.json:dir", "EVS_MOCK_LOG_LEVEL": "debug"]
        let settings = try Settings(flags: Settings.Flags(), environment: env)
        #expect(settings.host == "0.0.0.0")
        #expect(settings.port == 9000)
        #expect(settings.fixtures == ["a.json", "dir"])
        #expect(settings.logLevel == .debug)
    }

    @Test func flagsWinOverEnvironment() throws {
        let env = ["EVS_MOCK_HOST": "0.0.0.0", "EVS_MOCK_PORT": "not a port", "EVS_MOCK_FIXTURES": "a.json", "EVS_MOCK_LOG_LEVEL": "loud"]
        let settings = try Settings(flags: Settings.Flags(host: "::1", port: 0, fixtures: ["b.json"], logLevel: "error"), environment: env)
        #expect(settings.host == "::1")
        #expect(settings.port == 0)
        #expect(settings.fixtures == ["b.json"])
        #expect(settings.logLevel == .error)
    }

    @Test func gatewayOptions() throws {
        let env = ["EVS_MOCK_AUTH": "any", "EVS_MOCK_TOKENS": "a,b@p", "EVS_MOCK_CREDENTIALS": "K1:S1,K2:S:2", "EVS_MOCK_RATE_LIMIT": "5"]
        let fromEnv = try Settings(flags: Settings.Flags(), environment: env)
        #expect(fromEnv.gateway == GatewayOptions(auth: .any, tokens: ["a", "b@p"], credentials: ["K1": "S1", "K2": "S:2"], rateLimit: 5))
        var flags = Settings.Flags(auth: "token")
        flags.tokens = ["t"]
        flags.rateLimit = 9
        let fromFlags = try Settings(flags: flags, environment: env)
        #expect(fromFlags.gateway.auth == .token && fromFlags.gateway.tokens == ["t"] && fromFlags.gateway.rateLimit == 9)
    }

    @Test func eventLoopsFromFlagThenEnvironmentElseTheDefault() throws {
        #expect(try Settings(flags: Settings.Flags(), environment: [:]).eventLoops == nil)
        #expect(try Settings(flags: Settings.Flags(), environment: ["EVS_MOCK_EVENT_LOOPS": "3"]).eventLoops == 3)
        #expect(try Settings(flags: Settings.Flags(eventLoops: 256), environment: ["EVS_MOCK_EVENT_LOOPS": "x"]).eventLoops == 256)
    }

    @Test func controlPlaneOptions() throws {
        let env = ["EVS_MOCK_CLOCK": "manual", "EVS_MOCK_TIME_SCALE": "2.5", "EVS_MOCK_JOURNAL_SIZE": "7",
                   "EVS_MOCK_NO_ADMIN": "1", "EVS_MOCK_ADMIN_TOKEN": "t"]
        let fromEnv = try Settings(flags: Settings.Flags(), environment: env)
        #expect(fromEnv.clockMode == .manual && fromEnv.timeScale == 2.5 && fromEnv.journalSize == 7)
        #expect(!fromEnv.admin && fromEnv.adminToken == "t")
        let flags = Settings.Flags(clock: "real", timeScale: 10, journalSize: 3, adminToken: "u")
        let fromFlags = try Settings(flags: flags, environment: env)
        #expect(fromFlags.clockMode == .real && fromFlags.timeScale == 10 && fromFlags.journalSize == 3 && fromFlags.adminToken == "u")
        #expect(try Settings(flags: Settings.Flags(), environment: [:]).admin)
    }

    @Test(arguments: [
        (Settings.Flags(port: 70000), [:], "--port must be from 0 to 65535"),
        (Settings.Flags(logLevel: "loud"), [:], "--log-level must be one of"),
        (Settings.Flags(), ["EVS_MOCK_PORT": "-1"], "EVS_MOCK_PORT must be from 0 to 65535"),
        (Settings.Flags(), ["EVS_MOCK_LOG_LEVEL": "x"], "EVS_MOCK_LOG_LEVEL must be one of"),
        (Settings.Flags(clock: "fast"), [:], "--clock must be real or manual"),
        (Settings.Flags(), ["EVS_MOCK_CLOCK": "x"], "EVS_MOCK_CLOCK must be real or manual"),
        (Settings.Flags(timeScale: 0), [:], "--time-scale must be a number above 0"),
        (Settings.Flags(), ["EVS_MOCK_TIME_SCALE": "-2"], "EVS_MOCK_TIME_SCALE must be a number above 0"),
        (Settings.Flags(journalSize: 0), [:], "--journal-size must be 1 or more"),
        (Settings.Flags(eventLoops: 0), [:], "--event-loops must be from 1 to 256, got 0"),
        (Settings.Flags(eventLoops: 257), [:], "--event-loops must be from 1 to 256, got 257"),
        (Settings.Flags(), ["EVS_MOCK_EVENT_LOOPS": "two"], "EVS_MOCK_EVENT_LOOPS must be from 1 to 256, got 'two'"),
        (Settings.Flags(auth: "magic"), [:], "--auth must be none, token, aksk or any"),
        (Settings.Flags(), ["EVS_MOCK_LOG_FORMAT": "xml"], "EVS_MOCK_LOG_FORMAT must be text or json"),
        (Settings.Flags(), ["EVS_MOCK_AUTH": "x"], "EVS_MOCK_AUTH must be none, token, aksk or any"),
        (Settings.Flags(credentials: ["no-colon"]), [:], "--credential: expected AK:SK"),
        (Settings.Flags(), ["EVS_MOCK_RATE_LIMIT": "0"], "EVS_MOCK_RATE_LIMIT must be 1 or more"),
    ] as [(Settings.Flags, [String: String], String)])
    func badValuesAreNamed(flags: Settings.Flags, env: [String: String], message: String) {
        #expect {
            _ = try Settings(flags: flags, environment: env)
        } throws: { error in
            (error as? SettingsError)?.description.hasPrefix(message) == true
        }
    }

    /// A token no client can send would lock the admin API for good.
    @Test(arguments: [
        (Settings.Flags(adminToken: ""), [:], "--admin-token must not be empty"),
        (Settings.Flags(adminToken: " x "), [:], "--admin-token must not begin or end with white space"),
        (Settings.Flags(adminToken: "x\t"), [:], "--admin-token must not begin or end with white space"),
        (Settings.Flags(adminToken: "a\u{7}b"), [:], "--admin-token must not hold control characters"),
        (Settings.Flags(adminToken: "a\nb"), [:], "--admin-token must not hold control characters"),
        (Settings.Flags(), ["EVS_MOCK_ADMIN_TOKEN": " secret"], "EVS_MOCK_ADMIN_TOKEN must not begin or end with white space"),
        (Settings.Flags(), ["EVS_MOCK_ADMIN_TOKEN": "secret\r\n"], "EVS_MOCK_ADMIN_TOKEN must not begin or end with white space"),
        (Settings.Flags(), ["EVS_MOCK_ADMIN_TOKEN": "se\u{7F}cret"], "EVS_MOCK_ADMIN_TOKEN must not hold control characters"),
    ] as [(Settings.Flags, [String: String], String)])
    func adminTokensNoClientCanSendAreRefused(flags: Settings.Flags, env: [String: String], message: String) {
        badValuesAreNamed(flags: flags, env: env, message: message)
    }

    @Test func anEmptyAdminTokenVariableIsUnsetAndInnerSpacesPass() throws {
        #expect(try Settings(flags: Settings.Flags(), environment: ["EVS_MOCK_ADMIN_TOKEN": ""]).adminToken == nil)
        #expect(try Settings(flags: Settings.Flags(adminToken: "two words"), environment: [:]).adminToken == "two words")
    }
}
