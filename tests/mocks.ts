/**
 * The shared mock harness of the tests: the offline program runner (bin/offlineProgram.ts, which sets Pulumi's mocks
 * when loaded) plus small helpers for asserting on what it recorded.
 */
import * as pulumi from "@pulumi/pulumi";
import { ProgramRun, RecordedResource } from "../bin/offlineProgram";

export * from "../bin/offlineProgram";

export const REGION = "us-west-2";
export const ZONES = ["us-west-2a", "us-west-2b", "us-west-2c"];

/** Resolves an Output's value (mocks run in update mode, so every output resolves). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** The one resource of `type` named `name`, or a failure that lists what was registered instead. */
export function findResource(run: ProgramRun, type: string, name: string): RecordedResource {
    const found = run.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        const names = run.resources.filter((r) => r.type === type).map((r) => r.name);
        throw new Error(`expected one ${type} named ${name}, found ${found.length}; ${type} registered: [${names.join(", ")}]`);
    }
    return found[0];
}

export function resourcesOfType(run: ProgramRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}

/** The Kubernetes objects the program applies (custom resources of the kubernetes package, not its provider). */
export function kubernetesObjects(run: ProgramRun): RecordedResource[] {
    return run.resources.filter((r) => r.type.startsWith("kubernetes:") && r.custom);
}
