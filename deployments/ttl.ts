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

/**
 * The command that restarts a lab stack's TTL clock from now: `up` replacing the clock (and so the schedule whose
 * timestamp follows it), found by the deployments stack's labTtlClockUrns output.
 */
export function rearmCommand(labStack: string): string {
    const urn = `npm run --silent deployments -- stack output labTtlClockUrns --json | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8"))[${JSON.stringify(labStack)}]'`;
    return `npm run deployments -- up --replace "$(${urn})"`;
}

/**
 * Why a clock's new expiry cannot be scheduled, if it cannot: it has passed at `now` (say, labTtlHours raised after
 * the TTL had fired, or lowered below the time since it started). A schedule in the past would never run, so the lab
 * would silently have no TTL; the clock must be restarted instead.
 */
export function expiredTtlProblem(clock: ClockState, labStack: string, now: Date): string | undefined {
    if (new Date(clock.expiresAt).getTime() > now.getTime()) return undefined;
    return `Lab stack ${labStack}: its TTL would expire at ${clock.expiresAt}, ${clock.hours} h after its TTL clock started (${clock.startedAt}), ` +
        `which has passed: a TTL schedule in the past never destroys the stack. To set its TTL again from now, replace its TTL clock: ${rearmCommand(labStack)}`;
}
