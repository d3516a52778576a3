/**
 * A lab's time to live, as pure functions. Pulumi Cloud's TtlSchedule takes an absolute RFC 3339 timestamp, and every
 * change of it replaces the schedule; so the timestamp must come from a time recorded once (when the TTL is set), not
 * from the clock at each `pulumi up`. The TtlClock resource (components/ttlClock.ts) records that time in the stack's
 * state; these functions compute the rest from it.
 */

/** What the TtlClock stores: when the TTL was set, for how many hours, and so when it expires. */
export interface ClockState {
    hours: number;
    /** RFC 3339, UTC, whole seconds: when the clock was created (the TTL was set). */
    startedAt: string;
    /** RFC 3339, UTC, whole seconds: `startedAt` plus `hours`. */
    expiresAt: string;
}

/** `2030-01-01T08:00:00Z`: RFC 3339 in UTC, without fractions of a second. */
export function rfc3339(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function clockState(hours: number, startedAt: string): ClockState {
    const start = new Date(startedAt);
    if (Number.isNaN(start.getTime())) throw new Error(`startedAt ${JSON.stringify(startedAt)} is not a time`);
    return { hours, startedAt: rfc3339(start), expiresAt: rfc3339(new Date(start.getTime() + hours * 3600 * 1000)) };
}

/** A new clock, started at `now`. */
export function startClock(hours: number, now: Date): ClockState {
    return clockState(hours, rfc3339(now));
}

/**
 * A clock after an update: an unrelated `pulumi up` changes nothing; a new number of hours counts from the same start
 * (so raising labTtlHours extends the TTL, lowering it shortens it). Only replacing the clock restarts it.
 */
export function updateClock(old: ClockState, hours: number): ClockState {
    return clockState(hours, old.startedAt);
}
