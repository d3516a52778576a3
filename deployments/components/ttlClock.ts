import * as pulumi from "@pulumi/pulumi";
import { ClockState, expiredTtlProblem, startClock, updateClock } from "../ttl";

export interface TtlClockInputs {
    /** Hours from when the clock starts until the TTL expires. */
    hours: number;
    /** The lab stack whose TTL this is, for messages (and the command that replaces this clock). */
    labStack: string;
}

type Inputs = TtlClockInputs & { __provider?: string };
type Outputs = ClockState & { __provider?: string };

/**
 * Records, in the stack's state, when a lab's TTL was set, so that the expiry it computes stays put across unrelated
 * `pulumi up`s (a TtlSchedule is replaced whenever its timestamp changes). A new `hours` counts from the same start;
 * `pulumi up --replace <this clock's URN>` restarts it. A new `hours` whose expiry has already passed is refused at
 * `up`, with that command: scheduling it would leave the lab with no TTL. See ../ttl.ts.
 *
 * Runs serialized in Pulumi's dynamic-provider host: no module-level state. `diff` also reports a change when the
 * serialized code changed, so that `pulumi up` stores the new code.
 */
export const ttlClockProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
    async create(inputs) {
        const state = startClock(inputs.hours, new Date());
        return { id: `ttl-${state.startedAt}`, outs: state };
    },
    async diff(_id, olds, news) {
        return { changes: olds.hours !== news.hours || olds.__provider !== news.__provider, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id, olds, news) {
        const outs = updateClock(olds, news.hours);
        // Only a new expiry is refused: one that has passed and stays put (new code, say) schedules nothing new.
        const problem = outs.expiresAt === olds.expiresAt ? undefined : expiredTtlProblem(outs, news.labStack, new Date());
        if (problem) throw new Error(problem);
        return { outs };
    },
};

/** The start and expiry of one lab stack's TTL. */
export class TtlClock extends pulumi.dynamic.Resource {
    declare public readonly startedAt: pulumi.Output<string>;
    declare public readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: { [K in keyof TtlClockInputs]: pulumi.Input<TtlClockInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
        super(ttlClockProvider, name, { startedAt: undefined, expiresAt: undefined, ...args }, opts, "eks-netpol-lab-deployments", "TtlClock");
    }
}

/** The type token this resource registers under (the offline runner computes its outputs by it). */
export const TTL_CLOCK_TYPE = "pulumi-nodejs:dynamic/eks-netpol-lab-deployments:TtlClock";
