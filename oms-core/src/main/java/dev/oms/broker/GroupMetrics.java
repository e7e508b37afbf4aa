package dev.oms.broker;

/**
 * A snapshot of one consumer group's counters.
 *
 * @param backlog events sent to the group and not yet handled (lag; the in-memory broker counts an
 *     event until its handler returned); -1 if the broker can't tell
 * @param inFlight events being handled right now
 * @param handled events handled successfully
 * @param retried handler failures that were retried
 * @param deadLettered events given up on and stored as dead letters
 * @param duplicatesSkipped redeliveries of already-handled event ids that were skipped
 * @param parked events waiting behind a dead letter of the same order
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
    long parked) {}
