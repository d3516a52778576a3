/**
 * plan's diff modes: which flows between demo workloads a change opens and closes, for one stack.
 *
 * - Between two configurations (`--diff-stage S`, `--diff-set key=value`): the stack as configured (with plan's own
 *   `--stage`/`--set`) is "before", the same with the diff overrides is "after". Both run here, under the mocks.
 * - Between two git revisions (`--base-rev A [--head-rev B]`): each side is the stack at that revision, planned by
 *   that revision's own code: its tree is extracted (`git archive`) to a temporary directory, its dependencies are
 *   this checkout's node_modules when its package-lock.json is the same (else `npm ci` there, which needs the npm
 *   registry), and its `bin/plan.ts --format json` runs there. Without `--head-rev` the "after" side is this working
 *   tree, planned here. A stack file missing at a revision means the stack does not exist there: no flows.
 *
 * Exit codes as for `netpol diff`: 0 nothing changes, 1 something does, 2 invalid input, 3 a bug.
 */
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runProgram } from "./offlineProgram";
import { planReport } from "./planReport";
import { connectivityDiff, ConnectivityDiff, formatDiff, isUnchanged } from "../policies/netpol/diff";
import { MatrixFlow } from "../policies/netpol/matrix";

export interface DiffOptions {
    stack: string;
    configFile?: string;
    stage?: string;
    set: string[];
    diffStage?: string;
    diffSet: string[];
    baseRev?: string;
    headRev?: string;
    format: string;
    /**
     * The git repository whose revisions are compared (tests use a temporary one).
     * @default - this checkout
     */
    repository?: string;
}

export interface DiffOutcome {
    stdout: string;
    stderr?: string;
    exitCode: number;
}

/** A stack's config as plan reads it (bin/plan.ts `stackConfig`), passed in so this file adds no second reader. */
export type ReadStack = (o: { stack: string; configFile?: string; sets: string[]; stage?: string }) => { config: Record<string, string>; secretKeys: string[] };

/** A problem the user can fix: printed as `plan: <message>`, exit 2. */
export class DiffInputError extends Error {}

/** One side of a diff: what it is, and the flows between demo workloads there. */
interface Side {
    label: string;
    flows: MatrixFlow[];
    notes: string[];
}

const ROOT = path.resolve(__dirname, "..");

export function isDiffMode(o: Pick<DiffOptions, "diffStage" | "diffSet" | "baseRev" | "headRev">): boolean {
    return o.diffStage !== undefined || o.diffSet.length > 0 || o.baseRev !== undefined || o.headRev !== undefined;
}

export async function planDiff(options: DiffOptions, readStack: ReadStack): Promise<DiffOutcome> {
    if (options.format !== "text" && options.format !== "json") throw new DiffInputError(`a diff prints text or json, not ${options.format}`);
    const byRevision = options.baseRev !== undefined || options.headRev !== undefined;
    if (byRevision && (options.diffStage !== undefined || options.diffSet.length > 0)) {
        throw new DiffInputError("compare either two revisions (--base-rev, --head-rev) or two configurations (--diff-stage, --diff-set), not both");
    }
    if (options.headRev !== undefined && options.baseRev === undefined) throw new DiffInputError("--head-rev needs --base-rev: the revision to compare it with");
    if (byRevision && (options.stage !== undefined || options.set.length > 0 || options.configFile !== undefined)) {
        throw new DiffInputError("with --base-rev each side's configuration is its revision's Pulumi.<stack>.yaml; drop --stage, --set and --config-file");
    }
    const sides = byRevision ? await revisionSides(options, readStack) : await configSides(options, readStack);
    const [before, after] = sides;
    const diff = connectivityDiff(before.flows, after.flows);
    const notes = [...before.notes, ...after.notes].map((n) => `plan: note: ${n}\n`).join("");
    return { stdout: formatOutcome(options.stack, before, after, diff, options.format), stderr: notes || undefined, exitCode: isUnchanged(diff) ? 0 : 1 };
}

function formatOutcome(stack: string, before: Side, after: Side, diff: ConnectivityDiff, format: string): string {
    if (format === "json") return JSON.stringify({ stack, before: before.label, after: after.label, ...diff }, null, 2) + "\n";
    return [`Stack ${stack}: ${before.label} -> ${after.label}`, ...formatDiff(diff)].join("\n") + "\n";
}

// ---- two configurations ------------------------------------------------------------------------------------------

async function configSides(o: DiffOptions, readStack: ReadStack): Promise<[Side, Side]> {
    const before = readStack({ stack: o.stack, configFile: o.configFile, sets: o.set, stage: o.stage });
    const after = readStack({ stack: o.stack, configFile: o.configFile, sets: [...o.set, ...o.diffSet], stage: o.diffStage ?? o.stage });
    const stageOf = (config: Record<string, string>) => config["eks-netpol-lab:stage"] ?? "open";
    const beforeSide = await planHere(before.config, before.secretKeys, `stage ${stageOf(before.config)}`);
    const changes = o.diffSet.length > 0 ? ` with ${o.diffSet.join(", ")}` : "";
    const afterSide = await planHere(after.config, after.secretKeys, `stage ${stageOf(after.config)}${changes}`);
    return [beforeSide, afterSide];
}

/** Plans a configuration with this checkout's program; an invalid one is the user's to fix (exit 2). */
async function planHere(config: Record<string, string>, secretKeys: string[], label: string): Promise<Side> {
    const run = await runProgram(config, secretKeys);
    if (run.error) {
        if (run.error.name === "SettingsError") throw new DiffInputError(`${label}: ${run.error.message}`);
        throw run.error;
    }
    return { label, flows: planReport(run, config["eks-netpol-lab:stage"] ?? "open").flows, notes: [] };
}

// ---- two revisions -----------------------------------------------------------------------------------------------

async function revisionSides(o: DiffOptions, readStack: ReadStack): Promise<[Side, Side]> {
    const repo = o.repository ?? ROOT;
    // Every revision is checked before anything runs, so a bad one fails alone, with nothing left running.
    const base = revisionToPlan(repo, o.stack, o.baseRev!);
    if (o.headRev !== undefined) {
        const head = revisionToPlan(repo, o.stack, o.headRev);
        return Promise.all([planAtRevision(repo, o.stack, base), planAtRevision(repo, o.stack, head)]);
    }
    // The working tree is this checkout: planned here, with its own code and stack file, while the base plans there.
    return Promise.all([planAtRevision(repo, o.stack, base), planWorkingTree(o.stack, readStack)]);
}

function planWorkingTree(stack: string, readStack: ReadStack): Promise<Side> {
    const label = "working tree";
    if (!fs.existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`))) return Promise.resolve({ label, flows: [], notes: [`Pulumi.${stack}.yaml does not exist in the working tree: no flows there`] });
    const config = readStack({ stack, sets: [] });
    return planHere(config.config, config.secretKeys, label);
}

/** Runs `git` in `repo`. */
function git(repo: string, args: string[]): { ok: boolean; out: string; err: string } {
    const r = spawnSync("git", ["-C", repo, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { ok: r.status === 0, out: r.stdout ?? "", err: (r.stderr ?? "").trim() };
}

/** The full commit id of `rev` in `repo`, or a DiffInputError saying it is not a commit there. */
export function resolveRevision(repo: string, rev: string): string {
    const r = git(repo, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
    if (!r.ok) throw new DiffInputError(`${JSON.stringify(rev)} is not a commit of this repository (a shallow clone may lack it: fetch it, e.g. fetch-depth: 2)`);
    return r.out.trim();
}

/** A revision to plan: its commit, how to name it, and whether it has the stack at all. */
interface Revision {
    commit: string;
    label: string;
    hasStack: boolean;
}

/** Checks `rev` can be planned: it is a commit here, and it has bin/plan.ts if it has the stack. */
function revisionToPlan(repo: string, stack: string, rev: string): Revision {
    const commit = resolveRevision(repo, rev);
    const label = rev === commit ? commit.slice(0, 12) : `${rev} (${commit.slice(0, 12)})`;
    const hasStack = git(repo, ["cat-file", "-e", `${commit}:Pulumi.${stack}.yaml`]).ok;
    if (hasStack && !git(repo, ["cat-file", "-e", `${commit}:bin/plan.ts`]).ok) throw new DiffInputError(`${label} has no bin/plan.ts, so it cannot be planned; compare with a later revision`);
    return { commit, label, hasStack };
}

/** The flows of `stack` at a revision, planned by that revision's own bin/plan.ts. */
async function planAtRevision(repo: string, stack: string, rev: Revision): Promise<Side> {
    const { commit, label } = rev;
    if (!rev.hasStack) return { label, flows: [], notes: [`Pulumi.${stack}.yaml does not exist at ${label}: no flows there`] };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-rev-"));
    try {
        const notes = extractRevision(repo, commit, dir);
        return { label, flows: flowsOf(await runPlanScript(dir, stack, label), label), notes };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * Writes the tree of `commit` into `dir` and gives it dependencies: this checkout's node_modules when the lockfiles
 * match, else its own `npm ci`. Returns what the user should know about it.
 */
function extractRevision(repo: string, commit: string, dir: string): string[] {
    const archive = path.join(dir, ".tree.tar");
    const made = git(repo, ["archive", "--format=tar", "-o", archive, commit]);
    if (!made.ok) throw new Error(`git archive ${commit} failed: ${made.err}`);
    const untar = spawnSync("tar", ["-xf", archive, "-C", dir], { encoding: "utf8" });
    if (untar.status !== 0) throw new Error(`tar -xf failed: ${untar.stderr}`);
    fs.rmSync(archive);
    const theirs = git(repo, ["show", `${commit}:package-lock.json`]);
    const ours = fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8");
    if (theirs.ok && theirs.out === ours) {
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
        return [];
    }
    // No install scripts: plan runs the program under mocks, without Pulumi's plugins.
    const install = spawnSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: dir, encoding: "utf8" });
    if (install.status !== 0) throw new DiffInputError(`npm ci at ${commit.slice(0, 12)} failed (its package-lock.json differs from this checkout's, so it needs its own install):\n${install.stderr}`);
    return [`${commit.slice(0, 12)} has another package-lock.json than this checkout; its dependencies were installed with npm ci`];
}

/** Runs `bin/plan.ts --stack <stack> --format json` in `dir`; exit 2 there (its config is invalid) is the user's. */
function runPlanScript(dir: string, stack: string, label: string): Promise<string> {
    const args = ["-r", "ts-node/register/transpile-only", "bin/plan.ts", "--stack", stack, "--format", "json"];
    return new Promise((resolve, reject) => {
        execFile(process.execPath, args, { cwd: dir, env: { ...process.env, INIT_CWD: dir }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (!error) return resolve(stdout);
            if (error.code === 2) return reject(new DiffInputError(`stack ${stack} at ${label} cannot be planned:\n${stderr.trimEnd()}`));
            reject(new Error(`plan at ${label} failed (${error.code ?? error.signal}): ${stderr}`));
        });
    });
}

function flowsOf(json: string, label: string): MatrixFlow[] {
    const flows = (JSON.parse(json) as { flows?: MatrixFlow[] }).flows;
    if (!Array.isArray(flows)) throw new Error(`plan at ${label} printed no flows`);
    return flows;
}
