/**
 * `netpol diff <before> <after> [--json]`: which workload-to-workload flows a change of manifests opens and closes.
 * Each side is a file or a directory of manifests. Exit 0 when nothing changes, 1 when something does, 2 on invalid
 * input (every problem of both sides at once). Registered on netpol's command by `registerDiff`.
 */
import { Command } from "commander";
import { analyze } from "../policies/netpol/analysis";
import { connectivityDiff, ConnectivityDiff, formatDiff, isUnchanged } from "../policies/netpol/diff";
import { InputError, Problem } from "../policies/netpol/errors";
import { loadManifests } from "../policies/netpol/load";
import { connectivityMatrix, matrixFlows } from "../policies/netpol/matrix";
import { SourcedObject } from "../policies/netpol/types";

/** What netpol prints and how it exits (the shape of netpol's own results). */
export interface DiffResult {
    stdout: string;
    stderr?: string;
    exitCode: number;
}

/** Both sides' objects, or one InputError listing the problems of both. */
function loadBoth(before: string, after: string): [SourcedObject[], SourcedObject[]] {
    const problems: Problem[] = [];
    const load = (side: string) => {
        try {
            return loadManifests([side]);
        } catch (e) {
            if (!(e instanceof InputError)) throw e;
            problems.push(...e.problems);
            return [];
        }
    };
    const objects: [SourcedObject[], SourcedObject[]] = [load(before), load(after)];
    if (problems.length > 0) throw new InputError(problems);
    return objects;
}

/** The diff between two sets of manifests. */
export function diffManifests(before: string, after: string): ConnectivityDiff {
    const [beforeObjects, afterObjects] = loadBoth(before, after);
    const problems: Problem[] = [];
    const analyse = (objects: SourcedObject[]) => {
        try {
            return analyze(objects);
        } catch (e) {
            if (!(e instanceof InputError)) throw e;
            problems.push(...e.problems);
            return undefined;
        }
    };
    const [was, is] = [analyse(beforeObjects), analyse(afterObjects)];
    if (problems.length > 0 || !was || !is) throw new InputError(problems);
    return connectivityDiff([...matrixFlows(connectivityMatrix(was))], [...matrixFlows(connectivityMatrix(is))]);
}

export function diffCommand(before: string, after: string, options: { json?: boolean }): DiffResult {
    const diff = diffManifests(before, after);
    const exitCode = isUnchanged(diff) ? 0 : 1;
    return { stdout: options.json ? JSON.stringify(diff, null, 2) + "\n" : formatDiff(diff).join("\n") + "\n", exitCode };
}

/** Adds the `diff` command to netpol's `program`; `done` receives its result. */
export function registerDiff(program: Command, done: (result: DiffResult) => void): void {
    program
        .command("diff")
        .description("list the workload-to-workload flows that open and close between two sets of manifests")
        .argument("<before>", "YAML or JSON file, or a directory searched recursively")
        .argument("<after>", "YAML or JSON file, or a directory searched recursively")
        .option("--json", 'print {"opened": [...], "closed": [...]}')
        .action((before: string, after: string, options: { json?: boolean }) => done(diffCommand(before, after, options)));
}
