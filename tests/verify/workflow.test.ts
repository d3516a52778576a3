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
