/// What the generator wrote, for its closing summary (a cross-check for analyser tests).
struct GeneratorCounters {
    var messages = 0
    var deliveries = 0
    var successes = 0
    var failures = 0
    var deferrals = 0
    var unableToRun = 0
    var bounces = 0
    /// Messages from <> (bounces) and from <#@[]> (double bounces) entering the queue.
    var bounceMessages = 0
    var doubleBounceMessages = 0
    var tripleBounces = 0
    var forwards = 0
    var restarts = 0

    var lines: [String] {
        [
            "messages\t\(messages)", "delivery_starts\t\(deliveries)", "successes\t\(successes)",
            "failures\t\(failures)", "deferrals\t\(deferrals)", "unable_to_run_qmail_remote\t\(unableToRun)",
            "bounce_msg\t\(bounces)", "bounce_messages\t\(bounceMessages)",
            "double_bounce_messages\t\(doubleBounceMessages)", "triple_bounces\t\(tripleBounces)", "forward_copies\t\(forwards)",
            "restarts\t\(restarts)",
        ]
    }
}
