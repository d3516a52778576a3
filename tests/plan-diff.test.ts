/**
 * plan's diff modes. Between stages: each step of the Stars walkthrough opens exactly the flows the walkthrough says
 * (README "The walkthrough, stage by stage") and closes nothing but what deny-all closes. Between git revisions: a
 * temporary repository made from this one's HEAD, whose second commit changes the dev stack's stage, planned by each
 * revision's own code, offline (the lockfiles match, so this checkout's node_modules serve both).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run, stackConfig } from "../bin/plan";
import { planDiff } from "../bin/planDiff";
import { FlowChange } from "../policies/netpol/diff";
import { STARS_STAGES, StarsStage } from "../policies/stars";

const UI = "management-ui/management-ui";
const CLIENT = "client/client";
const FRONTEND = "stars/frontend";
const BACKEND = "stars/backend";
const PORTS: Record<string, number> = { [UI]: 9001, [CLIENT]: 9000, [FRONTEND]: 80, [BACKEND]: 6379 };
const flow = (from: string, to: string): FlowChange => ({ from, to, port: PORTS[to], protocol: "TCP" });
const STARS_ONLY = 'demos=["stars"]';

/** What each step of the walkthrough opens and closes, between the demo's four workloads. */
const WALKTHROUGH: { from: StarsStage; to: StarsStage; opened: FlowChange[]; closed: FlowChange[] }[] = [
    {
        // default-deny in stars and client: nobody reaches client, frontend or backend any more, not even the UI.
        from: "open", to: "deny-all", opened: [],
        closed: [flow(CLIENT, BACKEND), flow(CLIENT, FRONTEND), flow(UI, CLIENT), flow(UI, BACKEND), flow(UI, FRONTEND), flow(BACKEND, CLIENT), flow(BACKEND, FRONTEND), flow(FRONTEND, CLIENT), flow(FRONTEND, BACKEND)],
    },
    { from: "deny-all", to: "allow-ui", opened: [flow(UI, CLIENT), flow(UI, BACKEND), flow(UI, FRONTEND)], closed: [] },
    { from: "allow-ui", to: "allow-backend", opened: [flow(FRONTEND, BACKEND)], closed: [] },
    { from: "allow-backend", to: "final", opened: [flow(CLIENT, FRONTEND)], closed: [] },
];

describe("plan --diff-stage: the Stars walkthrough, step by step", () => {
    it("covers every step of the walkthrough", () => {
        assert.deepStrictEqual(WALKTHROUGH.map((s) => s.from).concat("final"), [...STARS_STAGES]);
    });

    for (const step of WALKTHROUGH) {
        it(`${step.from} -> ${step.to} opens ${step.opened.length} and closes ${step.closed.length}`, async () => {
            const result = await run(["--stage", step.from, "--set", STARS_ONLY, "--diff-stage", step.to, "--format", "json"]);
            assert.strictEqual(result.exitCode, 1, result.stderr);
            const diff = JSON.parse(result.stdout);
            assert.deepStrictEqual(diff, { stack: "dev", before: `stage ${step.from}`, after: `stage ${step.to}`, opened: step.opened, closed: step.closed });
        });
    }

    it("prints text, and exits 0 when the two configurations connect the same", async () => {
        assert.deepStrictEqual(await run(["--stage", "allow-ui", "--set", STARS_ONLY, "--diff-stage", "allow-backend"]), {
            stdout: "Stack dev: stage allow-ui -> stage allow-backend\nopened (1):\n  stars/frontend -> stars/backend TCP 6379\n",
            stderr: undefined,
            exitCode: 1,
        });
        // Calico or the VPC CNI's agent: another engine, the same policies, the same flows.
        assert.deepStrictEqual(await run(["--stage", "final", "--diff-set", "policyEngine=vpc-cni"]), {
            stdout: "Stack dev: stage final -> stage final with policyEngine=vpc-cni\nno change: every workload-to-workload flow has the same verdict\n",
            stderr: undefined,
            exitCode: 0,
        });
    });

    it("rejects an invalid side, a diff format it cannot print, and mixing the two modes, with exit 2", async () => {
        const invalid = await run(["--diff-stage", "finale"]);
        assert.strictEqual(invalid.exitCode, 2);
        assert.strictEqual(invalid.stderr?.split("\n").slice(0, 2).join("\n"), 'plan: stage finale: Invalid stack configuration (1 problem):\n  - stage: "finale" is not one of "open", "deny-all", "allow-ui", "allow-backend", "final"; did you mean "final"?');
        assert.deepStrictEqual(await run(["--diff-stage", "final", "--format", "svg"]), { stdout: "", stderr: "plan: a diff prints text or json, not svg\n", exitCode: 2 });
        assert.deepStrictEqual(await run(["--base-rev", "HEAD", "--diff-stage", "final"]), {
            stdout: "",
            stderr: "plan: compare either two revisions (--base-rev, --head-rev) or two configurations (--diff-stage, --diff-set), not both\n",
            exitCode: 2,
        });
        assert.deepStrictEqual(await run(["--head-rev", "HEAD"]), { stdout: "", stderr: "plan: --head-rev needs --base-rev: the revision to compare it with\n", exitCode: 2 });
        assert.deepStrictEqual(await run(["--base-rev", "no-such-revision"]), {
            stdout: "",
            stderr: 'plan: "no-such-revision" is not a commit of this repository (a shallow clone may lack it: fetch it, e.g. fetch-depth: 2)\n',
            exitCode: 2,
        });
    });
});

describe("plan --base-rev: two git revisions, each planned by its own code", function () {
    // Two revisions planned at once, each in its own Node process with its own ts-node: a few seconds.
    this.timeout(60000);
    const ROOT = path.resolve(__dirname, "..");
    let repo: string;
    const git = (...args: string[]) => {
        const r = spawnSync("git", ["-C", repo, "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], { encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        return r.stdout.trim();
    };

    before(() => {
        repo = fs.mkdtempSync(path.join(os.tmpdir(), "plan-repo-"));
        const archive = path.join(repo, "head.tar");
        const made = spawnSync("git", ["-C", ROOT, "archive", "--format=tar", "-o", archive, "HEAD"], { encoding: "utf8" });
        assert.strictEqual(made.status, 0, made.stderr);
        assert.strictEqual(spawnSync("tar", ["-xf", archive, "-C", repo]).status, 0);
        fs.rmSync(archive);
        git("init", "--quiet");
        git("add", "--all");
        git("commit", "--quiet", "-m", "the lab as this checkout's HEAD has it");
        fs.appendFileSync(path.join(repo, "Pulumi.dev.yaml"), '  eks-netpol-lab:stage: allow-backend\n  eks-netpol-lab:demos: ["stars"]\n');
        git("commit", "--quiet", "--all", "-m", "dev: stars only, at allow-backend");
    });
    after(() => fs.rmSync(repo, { recursive: true, force: true }));

    it("lists the flows the second commit closes, and names each revision", async () => {
        const [base, head] = [git("rev-parse", "HEAD~1"), git("rev-parse", "HEAD")];
        const result = await planDiff({ stack: "dev", set: [], diffSet: [], baseRev: "HEAD~1", headRev: "HEAD", format: "json", repository: repo }, stackConfig);
        assert.strictEqual(result.exitCode, 1, result.stderr);
        const diff = JSON.parse(result.stdout);
        assert.deepStrictEqual([diff.before, diff.after], [`HEAD~1 (${base.slice(0, 12)})`, `HEAD (${head.slice(0, 12)})`]);
        assert.deepStrictEqual(diff.opened, []);
        // Open before (both demos, no policies); after, only the Stars demo at allow-backend: every flow the
        // namespaces demo had is gone with it, and of the Stars flows only the UI's and frontend -> backend remain.
        const starsClosed = diff.closed.filter((f: FlowChange) => PORTS[f.from] !== undefined && PORTS[f.to] !== undefined);
        assert.deepStrictEqual(starsClosed, [flow(CLIENT, BACKEND), flow(CLIENT, FRONTEND), flow(BACKEND, CLIENT), flow(BACKEND, FRONTEND), flow(FRONTEND, CLIENT)]);
        assert.ok(diff.closed.some((f: FlowChange) => f.from === "namespace-a/frontend-a"), "the namespaces demo's flows are closed with it");
        assert.strictEqual(result.stderr, undefined);
    });

    it("treats a stack that a revision does not have as having no flows", async () => {
        const result = await planDiff({ stack: "staging", set: [], diffSet: [], baseRev: "HEAD~1", headRev: "HEAD", format: "text", repository: repo }, stackConfig);
        assert.strictEqual(result.exitCode, 0);
        assert.match(result.stdout, /^Stack staging: HEAD~1 \(\w{12}\) -> HEAD \(\w{12}\)\nno change: /);
        assert.match(result.stderr ?? "", /^plan: note: Pulumi\.staging\.yaml does not exist at HEAD~1 \(\w{12}\): no flows there\n/);
    });
});
