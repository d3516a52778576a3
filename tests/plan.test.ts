/**
 * `plan` end to end: the real index.ts under mocks with the dev stack's config and overrides, in every format, and
 * the same clear error as `pulumi up` for bad config.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import { loadAll } from "js-yaml";
import * as path from "path";
import { run } from "../bin/plan";

const ROOT = path.resolve(__dirname, "..");

describe("plan", () => {
    it("prints JSON: the stage, every resource, every Kubernetes object and every flow between demo workloads", async () => {
        const result = await run(["--stage", "final", "--format", "json"]);
        assert.strictEqual(result.exitCode, 0, result.stderr);
        const plan = JSON.parse(result.stdout);
        assert.deepStrictEqual(Object.keys(plan), ["stage", "resources", "manifests", "flows"]);
        assert.strictEqual(plan.stage, "final");
        assert.ok(plan.resources.some((r: { type: string; name: string }) => r.type === "eks:index:Cluster" && r.name === "lab-eks"));
        const policies = plan.manifests.filter((m: { kind: string }) => m.kind === "NetworkPolicy").map((m: { metadata: { namespace: string; name: string } }) => `${m.metadata.namespace}/${m.metadata.name}`);
        assert.deepStrictEqual(policies.sort(), ["client/allow-ui", "client/default-deny", "stars/allow-ui", "stars/backend-policy", "stars/default-deny", "stars/frontend-policy"]);
        // 7 demo workloads, each declaring one port: every ordered pair of distinct workloads once.
        assert.strictEqual(plan.flows.length, 7 * 6);
        assert.deepStrictEqual(plan.flows.find((f: { from: string; to: string }) => f.from === "client/client" && f.to === "stars/frontend"), {
            from: "client/client", to: "stars/frontend", port: 80, protocol: "TCP", allowed: true,
        });
        assert.deepStrictEqual(plan.flows.find((f: { from: string; to: string }) => f.from === "client/client" && f.to === "stars/backend").allowed, false);
    });

    it("prints YAML a user could kubectl apply, the same objects as the JSON", async () => {
        const yamlOut = await run(["--stage", "allow-ui", "--format", "yaml"]);
        const jsonOut = await run(["--stage", "allow-ui", "--format", "json"]);
        assert.strictEqual(yamlOut.exitCode, 0);
        assert.deepStrictEqual(loadAll(yamlOut.stdout), JSON.parse(jsonOut.stdout).manifests);
    });

    it("prints the resource summary and the connectivity grid as text", async () => {
        const result = await run(["--set", "stage=deny-all", "--set", 'demos=["stars"]']);
        assert.strictEqual(result.exitCode, 0);
        assert.match(result.stdout, /^Stack dev, stage deny-all: pulumi up would register \d+ resources\n/);
        assert.ok(result.stdout.includes("NetworkPolicies (2): client/default-deny, stars/default-deny\n"));
        assert.ok(result.stdout.includes([
            "                            1 2 3 4",
            "client/client                 . X X",
            "management-ui/management-ui X   X X",
            "stars/backend               X .   X",
            "stars/frontend              X . X  ",
        ].join("\n")), result.stdout);
    });

    it("draws the picture as SVG", async () => {
        const result = await run(["--stage", "final", "--format", "svg"]);
        assert.strictEqual(result.exitCode, 0);
        assert.match(result.stdout, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        assert.ok(result.stdout.includes(">Stack dev, stage final</text>"));
    });

    it("rejects invalid config with exit 2 and exactly the message pulumi up would give, and prints nothing else", async () => {
        const result = await run(["--stage", "deny_all", "--set", "nodeMin=5"]);
        assert.strictEqual(result.exitCode, 2);
        assert.strictEqual(result.stdout, "");
        assert.strictEqual(result.stderr, [
            "Invalid stack configuration (2 problems):",
            '  - stage: "deny_all" is not one of "open", "deny-all", "allow-ui", "allow-backend", "final"; did you mean "deny-all"?',
            "  - nodeMin: 5 is greater than nodeDesired: 2; need 0 <= nodeMin <= nodeDesired <= nodeMax",
            "Fix each with `npm run pulumi -- config set <key> <value>` (lists: `npm run pulumi -- config set --path '<key>[0]' <value>`), then run again.",
            "",
        ].join("\n"));
    });

    it("rejects an unknown stack, a malformed --set and an unknown format with exit 2", async () => {
        assert.deepStrictEqual(await run(["--stack", "prod"]), { stdout: "", stderr: "plan: no stack file Pulumi.prod.yaml; stacks here: dev\n", exitCode: 2 });
        assert.deepStrictEqual(await run(["--set", "stage"]), {
            stdout: "",
            stderr: `plan: --set "stage" is not key=value; e.g. --set stage=final or --set 'demos=["stars"]'\n`,
            exitCode: 2,
        });
        assert.strictEqual((await run(["--format", "png"])).exitCode, 2);
    });

    it("runs as `npm run plan`, with no AWS, network or Pulumi CLI, and nothing on stderr", function () {
        this.timeout(60000);
        const result = spawnSync("npm", ["run", "--silent", "plan", "--", "--stage", "final", "--format", "json"], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.strictEqual(JSON.parse(result.stdout).stage, "final");
        assert.strictEqual(result.stderr, "");
    });

    it("exits 2 from the command line too, with only the message: no stack trace, no crash", function () {
        this.timeout(60000);
        const result = spawnSync("npm", ["run", "--silent", "plan", "--", "--set", 'demos=["namespaces"]', "--stage", "final"], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(result.status, 2);
        assert.strictEqual(result.stdout, "");
        assert.strictEqual(result.stderr, [
            "Invalid stack configuration (1 problem):",
            '  - stage: "final" applies to the stars demo, which demos does not include; add "stars" to demos or set stage to "open"',
            "Fix each with `npm run pulumi -- config set <key> <value>` (lists: `npm run pulumi -- config set --path '<key>[0]' <value>`), then run again.",
            "",
        ].join("\n"));
    });
});
