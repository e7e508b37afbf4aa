package dev.oms.broker;

/**
 * A snapshot of one consumer group's counters.
 *
 * @param backlog events sent to the group and not yet handled (lag; the in-memory broker counts an
 *     event until its outcome settled); -1 if the broker can't tell
 * @param inFlight records delivered to the runtime and not yet settled (handled, waiting for their
 *     follow-on events' acknowledgements, waiting for a retry, or behind another record of their order)
 * @param handled events handled successfully
 * @param retried handler failures that were retried
 * @param deadLettered events given up on and stored as dead letters
 * @param duplicatesSkipped redeliveries of already-handled event ids that were skipped
 * @param parked records waiting behind a dead letter of the same order right now
 * @param retryLater waits for the broker or a store (an outage, a full dead-letter store), and
 *     records left to be delivered again (a deadline, a shutdown, the broker's own redelivery)
 * @param deadLettersRefused dead letters or parked records the dead-letter store refused (full or
 *     unavailable); each waits on the broker until the store takes it
 */
public record GroupMetrics(
    String group,
    boolean paused,
    long backlog,
    long inFlight,
    long handled,
    long retried,
    long deadLettered,
    long duplicatesSkipped,
    long parked,
    long retryLater,
    long deadLettersRefused) {}
