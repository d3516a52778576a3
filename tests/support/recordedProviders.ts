/**
 * The dynamic resources' inputs as the program registers them, `__provider` (the serialized provider code) included:
 * what Pulumi would store, and what the host-driven tests feed the real dynamic-provider host.
 */
import { findResource, runProgram } from "../mocks";

export const RECYCLER_TYPE = "pulumi-nodejs:dynamic/eks-netpol-lab:NodeRecycler";
export const CLEANUP_TYPE = "pulumi-nodejs:dynamic/eks-netpol-lab:CalicoCrdCleanup";
export const GUARD_TYPE = "pulumi-nodejs:dynamic/eks-netpol-lab:PolicyEngineGuard";
export const CREATOR_TYPE = "pulumi-nodejs:dynamic/eks-netpol-lab:ClusterCreator";

export interface RecordedProviders {
    recycler: Record<string, any>;
    cleanup: Record<string, any>;
    guard: Record<string, any>;
    creator: Record<string, any>;
    /** Every dynamic resource of the dev stack, by logical name. */
    all: Map<string, Record<string, any>>;
}

let recorded: Promise<RecordedProviders> | undefined;

/** Runs the program once (the dev stack's config) and keeps the dynamic resources' inputs. */
export function recordedProviders(): Promise<RecordedProviders> {
    recorded ??= runProgram().then((run) => ({
        recycler: findResource(run, RECYCLER_TYPE, "calico-node-recycler").inputs,
        cleanup: findResource(run, CLEANUP_TYPE, "calico-crd-cleanup").inputs,
        guard: findResource(run, GUARD_TYPE, "policy-engine").inputs,
        creator: findResource(run, CREATOR_TYPE, "lab-creator").inputs,
        all: new Map(run.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).map((r) => [r.name, r.inputs])),
    }));
    return recorded;
}
