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
import { planReport } from "../bin/planReport";
import { connectivityDiff, FlowChange } from "../policies/netpol/diff";
import { MatrixFlow } from "../policies/netpol/matrix";
import { runProgram, stackConfig as programConfig } from "./mocks";
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
        // default-deny in stars and client: nobody reaches client, frontend or backend any more, not even the UI, nor
        // one replica of a workload another (a workload to itself is real traffic); no later step opens those again.
        from: "open", to: "deny-all", opened: [],
        closed: [
            flow(CLIENT, CLIENT), flow(CLIENT, BACKEND), flow(CLIENT, FRONTEND), flow(UI, CLIENT), flow(UI, BACKEND), flow(UI, FRONTEND),
            flow(BACKEND, CLIENT), flow(BACKEND, BACKEND), flow(BACKEND, FRONTEND), flow(FRONTEND, CLIENT), flow(FRONTEND, BACKEND), flow(FRONTEND, FRONTEND),
        ],
    },
    { from: "deny-all", to: "allow-ui", opened: [flow(UI, CLIENT), flow(UI, BACKEND), flow(UI, FRONTEND)], closed: [] },
    { from: "allow-ui", to: "allow-backend", opened: [flow(FRONTEND, BACKEND)], closed: [] },
    { from: "allow-backend", to: "final", opened: [flow(CLIENT, FRONTEND)], closed: [] },
];

describe("plan --diff-stage: the Stars walkthrough, step by step", () => {
    it("covers every step of the walkthrough", () => {
        assert.deepStrictEqual(WALKTHROUGH.map((s) => s.from).concat("final"), [...STARS_STAGES]);
    });

    // Each stage planned once (the program under the mocks, as plan does), then compared as plan --diff-stage does.
    const flows = new Map<StarsStage, Promise<MatrixFlow[]>>();
    const flowsAt = (stage: StarsStage) => {
        if (!flows.has(stage)) flows.set(stage, runProgram(programConfig({ stage, demos: '["stars"]' })).then((r) => planReport(r, stage).flows));
        return flows.get(stage)!;
    };
    for (const step of WALKTHROUGH) {
        it(`${step.from} -> ${step.to} opens ${step.opened.length} and closes ${step.closed.length}`, async () => {
            assert.deepStrictEqual(connectivityDiff(await flowsAt(step.from), await flowsAt(step.to)), { opened: step.opened, closed: step.closed });
        });
    }

    it("is what plan --diff-stage prints, as JSON", async () => {
        const result = await run(["--stage", "deny-all", "--set", STARS_ONLY, "--diff-stage", "allow-ui", "--format", "json"]);
        assert.strictEqual(result.exitCode, 1, result.stderr);
        assert.deepStrictEqual(JSON.parse(result.stdout), { stack: "dev", before: "stage deny-all", after: "stage allow-ui", opened: WALKTHROUGH[1].opened, closed: [] });
    });

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
    // Each revision is planned in its own Node process (its own ts-node): a second or two each.
    this.timeout(60000);
    const ROOT = path.resolve(__dirname, "..");
    let repo: string;
    const git = (...args: string[]) => {
        const r = spawnSync("git", ["-C", repo, "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], { encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        return r.stdout.trim();
    };
    const short = (rev: string) => git("rev-parse", rev).slice(0, 12);
    const commitStage = (stage: string) => {
        fs.writeFileSync(path.join(repo, "Pulumi.dev.yaml"), `config:\n  eks-netpol-lab:stage: ${stage}\n`);
        git("add", "--all");
        git("commit", "--quiet", "-m", `dev at ${stage}`);
    };

    // A repository whose bin/plan.ts stands in for the real one (which a revision of this repository is planned with
    // in the test after): it prints two flows, the second open only at stage open, and refuses stage bogus as plan
    // does invalid config. Its lockfile is this checkout's, so this checkout's node_modules serve it, offline.
    before(() => {
        repo = fs.mkdtempSync(path.join(os.tmpdir(), "plan-repo-"));
        fs.mkdirSync(path.join(repo, "bin"));
        for (const file of ["package-lock.json", "tsconfig.json"]) fs.copyFileSync(path.join(ROOT, file), path.join(repo, file));
        fs.writeFileSync(path.join(repo, "bin", "plan.ts"), [
            'import * as fs from "fs";',
            'const stack = process.argv[process.argv.indexOf("--stack") + 1];',
            'const stage = /stage: (\\S+)/.exec(fs.readFileSync(`Pulumi.${stack}.yaml`, "utf8"))![1];',
            'if (stage === "bogus") { process.stderr.write(`Invalid stack configuration: stage ${stage}\\n`); process.exit(2); }',
            'const flow = (from: string, to: string, allowed: boolean) => ({ from, to, port: 80, protocol: "TCP", allowed });',
            'console.log(JSON.stringify({ stage, flows: [flow("a/x", "b/y", true), flow("b/y", "a/x", stage === "open")] }));',
        ].join("\n"));
        git("init", "--quiet");
        for (const stage of ["open", "final", "bogus"]) commitStage(stage);
    });
    after(() => fs.rmSync(repo, { recursive: true, force: true }));

    const diffOf = (baseRev: string, headRev: string, stack = "dev") => planDiff({ stack, set: [], diffSet: [], baseRev, headRev, format: "json", repository: repo }, stackConfig);

    it("lists the flows the later revision closes, naming each revision, and the reverse opens them", async () => {
        const result = await diffOf("HEAD~2", "HEAD~1");
        assert.deepStrictEqual([result.exitCode, result.stderr], [1, undefined]);
        assert.deepStrictEqual(JSON.parse(result.stdout), {
            stack: "dev", before: `HEAD~2 (${short("HEAD~2")})`, after: `HEAD~1 (${short("HEAD~1")})`,
            opened: [], closed: [{ from: "b/y", to: "a/x", port: 80, protocol: "TCP" }],
        });
        assert.deepStrictEqual(JSON.parse((await diffOf("HEAD~1", "HEAD~2")).stdout).opened, [{ from: "b/y", to: "a/x", port: 80, protocol: "TCP" }]);
    });

    it("treats a stack that a revision does not have as having no flows", async () => {
        const result = await diffOf("HEAD~2", "HEAD~1", "staging");
        assert.strictEqual(result.exitCode, 0);
        assert.strictEqual(result.stderr, [
            `plan: note: Pulumi.staging.yaml does not exist at HEAD~2 (${short("HEAD~2")}): no flows there`,
            `plan: note: Pulumi.staging.yaml does not exist at HEAD~1 (${short("HEAD~1")}): no flows there`,
            "",
        ].join("\n"));
    });

    it("reports a revision whose configuration is invalid with that revision's own message", async () => {
        await assert.rejects(diffOf("HEAD~1", "HEAD"), { name: "Error", message: `stack dev at HEAD (${short("HEAD")}) cannot be planned:\nInvalid stack configuration: stage bogus` });
    });

    it("plans a revision of this repository with its real code, against the working tree planned here", async () => {
        const result = await planDiff({ stack: "dev", set: [], diffSet: [], baseRev: "HEAD", format: "json" }, stackConfig);
        assert.ok(result.exitCode === 0 || result.exitCode === 1, result.stderr);
        const diff = JSON.parse(result.stdout);
        assert.deepStrictEqual([diff.before, diff.after], [`HEAD (${spawnSync("git", ["-C", ROOT, "rev-parse", "HEAD"], { encoding: "utf8" }).stdout.slice(0, 12)})`, "working tree"]);
    });
});
