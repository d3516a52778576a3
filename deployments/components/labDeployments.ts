import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import { SettingsInputs } from "../settingsArgs";
import { TtlClock } from "./ttlClock";

export interface LabDeploymentsArgs {
    /** The DeploymentSettings, as settingsArgs.ts decides them for this stack. */
    settings: pulumi.Input<SettingsInputs>;
    /** Hours after the TTL is set that the stack is destroyed. */
    ttlHours: number;
    /**
     * Cron (UTC) of the drift detection.
     * @default - no drift detection (the review-stack template, which never runs itself)
     */
    driftCron?: string;
    /**
     * Whether the stack gets a TTL.
     * @default true
     */
    ttl?: boolean;
}

/**
 * Pulumi Deployments for one lab stack: its DeploymentSettings, then (the service refuses schedules on a stack
 * without settings, so both wait for them) a TTL that destroys the stack `ttlHours` after it is set, and a drift
 * detection that reports and never remediates.
 */
export class LabDeployments extends pulumi.ComponentResource {
    public readonly settings: pulumiservice.DeploymentSettings;
    /** When the TTL destroys the stack (RFC 3339), if it has one. */
    public readonly ttlExpiresAt?: pulumi.Output<string>;
    /** The TTL clock's URN, for `pulumi up --replace <urn>`, which restarts the TTL; if it has one. */
    public readonly ttlClockUrn?: pulumi.Output<string>;

    constructor(name: string, args: LabDeploymentsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-netpol-lab-deployments:deployments:LabDeployments", name, {}, opts);
        const self = { parent: this };
        const settings = pulumi.output(args.settings);
        const target = { organization: settings.organization, project: settings.project, stack: settings.stack };

        this.settings = new pulumiservice.DeploymentSettings(`${name}-settings`, {
            ...target,
            sourceContext: settings.sourceContext,
            vcs: settings.vcs,
            operationContext: settings.operationContext,
            executorContext: settings.executorContext,
        }, self);
        const afterSettings = { ...self, dependsOn: [this.settings] };

        if (args.ttl ?? true) {
            const clock = new TtlClock(`${name}-ttl-clock`, { hours: args.ttlHours, labStack: name }, self);
            new pulumiservice.TtlSchedule(`${name}-ttl`, { ...target, timestamp: clock.expiresAt, deleteAfterDestroy: false }, afterSettings);
            this.ttlExpiresAt = clock.expiresAt;
            this.ttlClockUrn = clock.urn;
        }
        if (args.driftCron !== undefined) {
            new pulumiservice.DriftSchedule(`${name}-drift`, { ...target, scheduleCron: args.driftCron, autoRemediate: false }, afterSettings);
        }

        this.registerOutputs({ settings: this.settings, ttlExpiresAt: this.ttlExpiresAt, ttlClockUrn: this.ttlClockUrn });
    }
}
