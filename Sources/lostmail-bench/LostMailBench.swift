import ArgumentParser

/// `lostmail-bench`: generators and benchmarks for LostMail's log pipeline.
@main
struct LostMailBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lostmail-bench",
        abstract: "Generate large qmail-send logs and measure how fast LostMail reads them.",
        subcommands: [GenerateCommand.self, ReadCommand.self, SSHBench.self, AuditBench.self, RespondBench.self, ReportBench.self,
                      NotifyBench.self]
    )
}
