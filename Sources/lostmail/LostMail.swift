import ArgumentParser

/// `lostmail`: find the mail a qmail fleet lost, tell each affected account, keep watching.
@main
struct LostMail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lostmail",
        abstract: "Find mail a qmail fleet lost, write each affected account's lost-mails.log, notify its owner.",
        subcommands: [AnalyzeCommand.self, PingCommand.self, RespondCommand.self, ResumeCommand.self,
                      StatusCommand.self, ReportCommand.self, AuditCommand.self, InventoryCommand.self]
    )
}
