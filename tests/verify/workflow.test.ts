/**
 * The CI job that runs verify after a deployment: reusable and runnable by hand, least permissions, every action
 * pinned to a full commit with its version beside it, and the stack passed to shell steps only through env.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

const FILE = path.resolve(__dirname, "..", "..", ".github", "workflows", "verify.yml");

describe("verify in CI (.github/workflows/verify.yml)", () => {
    const text = fs.readFileSync(FILE, "utf8");
    const workflow = parse(text);
    const steps: { uses?: string; run?: string }[] = workflow.jobs.verify.steps;

    it("is called with a stack after each deployment, or run by hand", () => {
        assert.deepStrictEqual(Object.keys(workflow.on), ["workflow_call", "workflow_dispatch"]);
        assert.deepStrictEqual([workflow.on.workflow_call.inputs.stack.required, workflow.on.workflow_call.inputs.stack.type], [true, "string"]);
        assert.deepStrictEqual([workflow.on.workflow_dispatch.inputs.stack.required, workflow.on.workflow_dispatch.inputs.stack.type], [true, "string"]);
    });

    it("checks out the commit it is given (the one deployed), so it reads the Pulumi.<stack>.yaml that was deployed", () => {
        for (const trigger of ["workflow_call", "workflow_dispatch"]) {
            const commit = workflow.on[trigger].inputs.commit;
            assert.deepStrictEqual([commit.required, commit.type, commit.default], [false, "string", ""], trigger);
        }
        const checkout = steps.find((s) => s.uses?.startsWith("actions/checkout@")) as { with: Record<string, unknown> };
        assert.deepStrictEqual(checkout.with, { ref: "${{ inputs.commit }}", "persist-credentials": false });
    });

    it("waits for other verifies of the stack, never joining the deploy group where it could cancel a waiting deployment", () => {
        assert.deepStrictEqual(workflow.concurrency, { group: "verify-${{ inputs.stack }}", "cancel-in-progress": false });
    });

    it("asks for no more than reading the repository and an OIDC token for AWS", () => {
        assert.deepStrictEqual(workflow.permissions, { contents: "read", "id-token": "write" });
    });

    it("pins every action to a full commit, with the version in a comment", () => {
        const uses = text.split("\n").filter((line) => /^\s*(- )?uses:/.test(line));
        assert.strictEqual(uses.length, steps.filter((s) => s.uses).length);
        for (const line of uses) assert.match(line, /uses: [\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
    });

    it("never puts an input straight into a shell script", () => {
        for (const step of steps.filter((s) => s.run)) assert.doesNotMatch(step.run!, /\$\{\{/, step.run);
    });

    it("runs verify for the stack and writes what it printed to the job summary, keeping its exit code", () => {
        const script = steps.map((s) => s.run ?? "").join("\n");
        assert.match(script, /npm run --silent verify -- --stack "\$STACK" > "\$RUNNER_TEMP\/verify\.txt"/);
        assert.match(script, />> "\$GITHUB_STEP_SUMMARY"/);
        assert.match(script, /exit "\$code"/);
    });
});
